// catalogue.js — being written (the participant pages land next).
import { h } from '../ui.js';

export default async function render(view, { t }) {
  view.append(h('h1', null, t('nav.catalogue')));
}
