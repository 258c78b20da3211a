// routes.js — every screen of the web app, and the navigation links.
//
// A route: {path, load, access, title, area?}. `access` is 'any',
// 'signed_in', 'staff' (instructor or admin) or 'admin'; `title` a key of the
// common dictionary; `area` a dictionary area loaded before the page draws.
// The first matching path wins. Participant and public pages first, then the
// staff and admin pages (their own section, kept by their authors).
export const routes = [
  // ---- public and participant pages ----
  { path: '/', load: () => import('./pages/catalogue.js'), access: 'any', title: 'nav.catalogue', area: 'participant' },
  { path: '/programmes/:slug', load: () => import('./pages/programme.js'), access: 'any', title: 'nav.programme', area: 'participant' },
  { path: '/daftar', load: () => import('./pages/signup.js'), access: 'any', title: 'nav.signup', area: 'participant' },
  { path: '/masuk', load: () => import('./pages/login.js'), access: 'any', title: 'nav.login', area: 'participant' },
  { path: '/me/profile', load: () => import('./pages/profile.js'), access: 'signed_in', title: 'nav.profile', area: 'participant' },
  { path: '/me/cohorts', load: () => import('./pages/my_cohorts.js'), access: 'signed_in', title: 'nav.my_cohorts', area: 'participant' },
  { path: '/cohorts/:id', load: () => import('./pages/cohort.js'), access: 'signed_in', title: 'nav.cohort', area: 'participant' },
  { path: '/cohorts/:id/lessons/:lessonId', load: () => import('./pages/lesson.js'), access: 'signed_in', title: 'nav.lesson', area: 'participant' },
  { path: '/cohorts/:id/assignments/:assignmentId', load: () => import('./pages/assignment.js'), access: 'signed_in', title: 'nav.assignment', area: 'participant' },
  { path: '/me/certificates', load: () => import('./pages/certificates.js'), access: 'signed_in', title: 'nav.certificates', area: 'participant' },
  { path: '/me/jp', load: () => import('./pages/jp.js'), access: 'signed_in', title: 'nav.jp', area: 'participant' },
  // messages and account recovery (issue 13)
  { path: '/reset', load: () => import('./pages/reset.js'), access: 'any', title: 'acct.reset.title', area: 'account' },
  { path: '/verify-email', load: () => import('./pages/verify_email.js'), access: 'any', title: 'acct.verify.title', area: 'account' },
  { path: '/unsubscribe', load: () => import('./pages/unsubscribe.js'), access: 'any', title: 'acct.unsub.title', area: 'account' },
  { path: '/me/notifications', load: () => import('./pages/notifications.js'), access: 'signed_in', title: 'acct.notif.title', area: 'account' },

  // ---- staff and admin pages (pages/staff_*.js, pages/admin_*.js) ----
  { path: '/staff', load: () => import('./pages/staff_home.js'), access: 'staff', title: 'staff.home.title', area: 'staff' },
  { path: '/staff/programmes/:slug/content', load: () => import('./pages/staff_content.js'), access: 'staff', title: 'staff.nav.content', area: 'staff' },
  { path: '/staff/programmes/:slug/lessons/new', load: () => import('./pages/staff_lesson.js'), access: 'staff', title: 'staff.lesson.new_title', area: 'staff' },
  { path: '/staff/programmes/:slug/lessons/:lessonId', load: () => import('./pages/staff_lesson.js'), access: 'staff', title: 'staff.lesson.edit_title', area: 'staff' },
  { path: '/staff/programmes/:slug/assignments/new', load: () => import('./pages/staff_assignment.js'), access: 'staff', title: 'staff.assignment.new_title', area: 'staff' },
  { path: '/staff/programmes/:slug/assignments/:assignmentId', load: () => import('./pages/staff_assignment.js'), access: 'staff', title: 'staff.assignment.edit_title', area: 'staff' },
  { path: '/staff/cohorts/:id', load: () => import('./pages/staff_cohort.js'), access: 'staff', title: 'staff.nav.cohort', area: 'staff' },
  { path: '/staff/cohorts/:id/sessions', load: () => import('./pages/staff_sessions.js'), access: 'staff', title: 'staff.sessions.title', area: 'staff' },
  { path: '/staff/cohorts/:id/sessions/:sessionId/projector', load: () => import('./pages/staff_projector.js'), access: 'staff', title: 'staff.projector.title', area: 'staff' },
  { path: '/staff/cohorts/:id/grading', load: () => import('./pages/staff_grading.js'), access: 'staff', title: 'staff.grading.title', area: 'staff' },
  { path: '/staff/cohorts/:id/gradebook', load: () => import('./pages/staff_gradebook.js'), access: 'staff', title: 'staff.gradebook.title', area: 'staff' },
  { path: '/admin/programmes', load: () => import('./pages/admin_programmes.js'), access: 'admin', title: 'staff.programmes.title', area: 'staff' },
  { path: '/admin/programmes/:slug', load: () => import('./pages/admin_programme.js'), access: 'admin', title: 'staff.programmes.title', area: 'staff' },
  { path: '/admin/cohorts/:id', load: () => import('./pages/admin_cohort.js'), access: 'admin', title: 'staff.nav.cohorts', area: 'staff' },
  { path: '/admin/cohorts/:id/seats', load: () => import('./pages/admin_seats.js'), access: 'admin', title: 'staff.seats.title', area: 'staff' },
  { path: '/admin/cohorts/:id/registrations', load: () => import('./pages/admin_registrations.js'), access: 'admin', title: 'staff.registrations.title', area: 'staff' },
  { path: '/admin/cohorts/:id/certificates', load: () => import('./pages/admin_certificates.js'), access: 'admin', title: 'staff.certs.title', area: 'staff' },
  { path: '/admin/keys', load: () => import('./pages/admin_keys.js'), access: 'admin', title: 'staff.keys.title', area: 'staff' },
  { path: '/admin/signatory', load: () => import('./pages/admin_signatory.js'), access: 'admin', title: 'staff.sign.title', area: 'staff' },
  { path: '/admin/users', load: () => import('./pages/admin_users.js'), access: 'admin', title: 'staff.users.title', area: 'staff' },
  { path: '/admin/messages', load: () => import('./pages/admin_messages.js'), access: 'admin', title: 'acct.log.title', area: 'account' },
  { path: '/staff/cohorts/:id/announcements', load: () => import('./pages/staff_announcements.js'), access: 'staff', title: 'acct.ann.page_title', area: 'account' },
];

// Header links: {href, label (common key), access: 'any'|'guest'|'signed_in'|
// 'staff'|'admin'}; 'guest' shows only when signed out. Order as shown. (The
// profile is reached from the account corner, beside "Keluar".)
export const nav = [
  { href: '/', label: 'nav.catalogue', access: 'any' },
  { href: '/me/cohorts', label: 'nav.my_cohorts', access: 'signed_in' },
  { href: '/me/certificates', label: 'nav.certificates', access: 'signed_in' },

  // ---- staff and admin links ----
  { href: '/staff', label: 'nav.staff', access: 'staff' },
];
