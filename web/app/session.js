// session.js — who is signed in, for every module that needs to know.
//
// `me` is GET /api/v1/me's answer {user, profile, csrf_token} or null when
// signed out. loadMe() asks the server (a 401 means signed out); setMe()
// replaces it (the login page after logging in, logout with null) and tells
// the listeners (main.js redraws the header). The CSRF token for unsafe
// requests is handed to api.js here.
import { api, setCsrf, paths } from './api.js';

let me = null;
const listeners = new Set();

export function getMe() {
  return me;
}

export function role() {
  return me ? me.user.role : null;
}

export function isStaff() {
  return role() === 'instructor' || role() === 'admin';
}

export function setMe(value) {
  me = value || null;
  setCsrf(me && me.csrf_token);
  for (const fn of listeners) fn(me);
}

export async function loadMe() {
  try {
    setMe(await api('GET', paths.me()));
  } catch (err) {
    if (err.status !== 401) throw err;
    setMe(null);
  }
  return me;
}

// Calls fn(me) after every change; returns a function that stops it.
export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
