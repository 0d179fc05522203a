import type { CampaignTimeline } from '../../../engine/campaigns.ts';
import { bdi, h, type Html } from './html.ts';
import type { PageCtx } from './layout.ts';

const W = 640;
const H = 180;
const PAD_X = 4;
const PAD_TOP = 8;
const PAD_BOTTOM = 20;

/** A series' colour class: the busiest accounts by rank, the rest as one. */
function seriesClass(i: number, accountId: number | null): string {
  return accountId === null ? 'series-other' : `series-${i % 8}`;
}

/**
 * Messages over time as stacked bars, one colour per account, drawn on the server as SVG with
 * classes (the CSS file colours them: no inline style under the CSP). Each bar carries a title
 * with its time and count; the legend names the accounts with their totals.
 */
export function campaignChart(p: PageCtx, tl: CampaignTimeline, label: (accountId: number) => string): Html {
  const { t } = p;
  if (tl.start === null || tl.buckets === 0) return h`<section class="chart" aria-labelledby="chart-h"><h2 id="chart-h">${t.chartTitle}</h2><p class="empty">${t.chartNone}</p></section>`;
  const start = tl.start;
  const max = Math.max(1, ...tl.totals);
  const plotH = H - PAD_TOP - PAD_BOTTOM;
  const slot = (W - 2 * PAD_X) / tl.buckets;
  const barW = Math.max(1, slot * 0.8);
  const r = (x: number): string => x.toFixed(1);
  const bars = tl.totals.map((total, i) => {
    if (total === 0) return '';
    const x = PAD_X + i * slot + (slot - barW) / 2;
    let y = PAD_TOP + plotH;
    const parts = tl.series.map((s, k) => {
      const v = s.sent[i] ?? 0;
      if (v === 0) return '';
      const hgt = (v / max) * plotH;
      y -= hgt;
      return h`<rect class="${seriesClass(k, s.accountId)}" x="${r(x)}" y="${r(y)}" width="${r(barW)}" height="${r(hgt)}"></rect>`;
    });
    return h`<g><title>${t.chartBar(t.time(start + i * tl.bucketMs), total)}</title>${parts}</g>`;
  });
  const end = start + tl.buckets * tl.bucketMs;
  const svg = h`<svg class="chart-svg" viewBox="0 0 ${W} ${H}" role="img" aria-label="${t.chartPer(t.timeLeft(tl.bucketMs))}" data-buckets="${tl.buckets}" data-bucket-ms="${tl.bucketMs}">
<line class="axis" x1="${PAD_X}" y1="${PAD_TOP + plotH}" x2="${W - PAD_X}" y2="${PAD_TOP + plotH}"></line>
${bars}
<text class="axis-label" x="${PAD_X}" y="${H - 4}" text-anchor="start">${t.time(start)}</text>
<text class="axis-label" x="${W - PAD_X}" y="${H - 4}" text-anchor="end">${t.time(end)}</text>
<text class="axis-label" x="${PAD_X}" y="${PAD_TOP + 10}" text-anchor="start">${t.n(max)}</text>
</svg>`;
  const legend = h`<ul class="legend">${tl.series.map(
    (s, k) => h`<li><svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class="${seriesClass(k, s.accountId)}" width="10" height="10"></rect></svg> ${s.accountId === null ? t.chartOthers : bdi(label(s.accountId))} <span class="muted">${t.n(s.total)}</span></li>`,
  )}</ul>`;
  return h`<section class="chart" aria-labelledby="chart-h"><h2 id="chart-h">${t.chartTitle}</h2><p class="muted">${t.chartPer(t.timeLeft(tl.bucketMs))}</p><div class="chart-box" dir="ltr">${svg}</div>${legend}</section>`;
}
