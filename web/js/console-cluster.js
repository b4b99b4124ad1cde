// The operators' banner of a cluster whose shared store refuses changes
// (issue 17, docs/cluster.md): shown when a change fails with
// `unavailable` or the node says NATS does not take its writes, gone by
// itself when a change succeeds or the node says NATS is back.

import { onLanguageChange, t } from './i18n.js';

export class ClusterBanner {
  constructor(el, client) {
    this.el = el;
    client.on('changes', (why) => this.show(why));
    onLanguageChange(() => this.show(client.changesRefused));
  }

  // why: null (changes work), '' (refused, no detail) or the server's message.
  show(why) {
    this.el.hidden = why === null;
    if (why === null) return;
    this.el.textContent = why ? t('cluster.refused.detail', { reason: why.replace(/\.$/, '') }) : t('cluster.refused');
  }
}
