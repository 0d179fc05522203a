import { createHash } from 'node:crypto';
import { TARGET_STATES, type CampaignState, type TargetCounts } from '../../../core/campaigns.ts';
import type { CampaignListItem, CampaignStatus } from '../../../engine/campaigns.ts';
import { storedReason } from '../errors.ts';
import { iso } from '../i18n/bidi.ts';
import type { Turn } from '../turn.ts';
import { button, cb, type Keyboard, type View } from '../ui.ts';
import { paged, unavailable } from './common.ts';
import { navRow } from './home.ts';

export type Campaigns = NonNullable<Turn['rt']['deps']['services']['campaigns']>;

/**
 * The campaign menus' routes. The ids stay short because they travel in callback data (64 bytes
 * with the campaign's key); changing one would need MENU_VERSION bumped.
 */
export const CMP = {
  list: 'cmp',
  listPage: 'cmp.l',
  card: 'cmp.c',
  run: 'cmp.run',
  pause: 'cmp.pause',
  cancel: 'cmp.cx',
  cancelConfirmed: 'cmp.cxy',
  settle: 'cmp.st',
  settleDecided: 'cmp.sd',
  exportRows: 'cmp.x',
  create: 'cmp.new',
  createBack: 'cmp.b',
  createSetting: 'cmp.set',
  createToggleContacted: 'cmp.ic',
  createConfirmed: 'cmp.mk',
} as const;

/** Prefix of the Pause button on a run's progress message (works after /start too). */
export const PAUSE_PREFIX = 'cmp:p:';

const STATE_ICON: Record<CampaignState, string> = { ready: '🆕', running: '▶️', paused: '⏸', done: '✅', cancelled: '✖️' };

/** Campaign names are free text; callbacks carry a short digest of the name instead. */
export function nameKey(name: string): string {
  return createHash('sha256').update(name).digest('base64url').slice(0, 12);
}

export function byKey(svc: Campaigns, key: string | undefined): CampaignListItem | undefined {
  return key === undefined ? undefined : svc.list().find((c) => nameKey(c.name) === key);
}

export function campaignsOf(turn: Turn): Campaigns | undefined {
  return turn.rt.deps.services.campaigns;
}

/** The run this bot started for the campaign, while it goes on. */
export function runningHere(turn: Turn, name: string): AbortController | undefined {
  return turn.rt.memory.get(runKey(nameKey(name))) as AbortController | undefined;
}

export function runKey(key: string): string {
  return `cmp:${key}`;
}

export function total(c: TargetCounts): number {
  return Object.values(c).reduce((a, b) => a + b, 0);
}

/** Rows with an outcome (everything but pending and claimed). */
export function settled(c: TargetCounts): number {
  return total(c) - c.pending - c.claimed;
}

/** One line per state that has rows: a state with none says nothing. */
export function countsText(turn: Turn, c: TargetCounts): string {
  return TARGET_STATES.filter((s) => c[s] > 0)
    .map((s) => `• ${turn.t.targetState(s)}: ${turn.t.n(c[s])}`)
    .join('\n');
}

export function cardView(turn: Turn, st: CampaignStatus, running: boolean, prefix?: string): View {
  const t = turn.t;
  const key = nameKey(st.name);
  const s = st.settings;
  // A run started here has not always written `running` yet: it counts as running from the press.
  const state: CampaignState = running && (st.state === 'ready' || st.state === 'paused') ? 'running' : st.state;
  const lines = [
    t.cmpCardTitle(iso(st.name), `${STATE_ICON[state]} ${t.cmpState(state)}`),
    ...(st.reason && state !== 'running' ? [t.cardReason(iso(storedReason(t, st.reasonCode, st.reason) ?? ''))] : []),
    '',
    t.cmpProgress(settled(st.counts), total(st.counts)),
    countsText(turn, st.counts),
    '',
    t.cmpSettings(s.perAccountCap, s.dailyCap, `${s.delay.minMs / 1000}-${s.delay.maxMs / 1000}`, s.skipContacted, s.accountIds?.length ?? null),
  ];
  const busy = st.accounts.filter((a) => a.sent + a.failed + a.claimed > 0).slice(0, 10);
  if (busy.length > 0) {
    lines.push('', t.cmpAccountsHead);
    for (const a of busy) lines.push(t.cmpAccountLine(iso(`#${a.accountId}${a.username ? ` @${a.username}` : ''}`), a.sent, a.failed + a.notFound + a.privacyRestricted, a.remainingCap));
  }
  const rows: Keyboard = [];
  if (state === 'ready' || state === 'paused') rows.push([button(state === 'paused' ? t.btnResume : t.btnRunCampaign, cb(CMP.run, key))]);
  if (state === 'running') rows.push([button(t.btnPause, cb(CMP.pause, key)), button(t.btnRefresh, cb(CMP.card, key))]);
  if (st.counts.uncertain > 0) rows.push([button(t.btnSettle(st.counts.uncertain), cb(CMP.settle, key))]);
  rows.push([button(t.btnExportCsv, cb(CMP.exportRows, key, 'csv')), button(t.btnExportJson, cb(CMP.exportRows, key, 'json'))]);
  if (state !== 'cancelled' && state !== 'done') rows.push([button(t.btnCancelCampaign, cb(CMP.cancel, key))]);
  rows.push(navRow(turn, cb(CMP.list)));
  return { text: `${prefix ? `${prefix}\n\n` : ''}${lines.join('\n')}`, keyboard: rows };
}

export async function showCard(turn: Turn, svc: Campaigns, name: string, prefix?: string): Promise<void> {
  await turn.show(cardView(turn, svc.status(name), runningHere(turn, name) !== undefined, prefix));
}

export async function showList(turn: Turn, svc: Campaigns, page: number): Promise<void> {
  const t = turn.t;
  const all = svc.list().sort((a, b) => b.createdAt - a.createdAt);
  const p = paged(
    turn,
    all,
    page,
    8,
    (c) => button(`${STATE_ICON[c.state]} ${c.name} · ${settled(c.counts)}/${c.total}`, cb(CMP.card, nameKey(c.name))),
    (n) => cb(CMP.listPage, n),
  );
  await turn.show({
    text: all.length === 0 ? t.noCampaigns : t.campaignsTitle(all.length),
    keyboard: [[button(t.btnNewCampaign, cb(CMP.create))], ...p.rows, navRow(turn, cb('home'))],
  });
}

/** Runs `fn` on the campaign a button names; a campaign gone meanwhile shows the list. */
export async function withCampaign(turn: Turn, key: string | undefined, fn: (svc: Campaigns, c: CampaignListItem) => Promise<void>): Promise<void> {
  const svc = campaignsOf(turn);
  if (!svc) return unavailable(turn);
  const c = byKey(svc, key);
  if (!c) {
    await turn.answer(turn.t.campaignGone);
    return showList(turn, svc, 0);
  }
  await fn(svc, c);
}
