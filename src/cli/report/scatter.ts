/** Predicted against true values of a regression, as SVG: points near the diagonal are good predictions. */
import { PALETTE, escapeXml, niceTicks } from './svg.js';

/** A square scatter plot of (true, predicted) pairs with the line y = x. */
export function predictionScatter(truth: ArrayLike<number>, predicted: ArrayLike<number>, target: string, size = 420): string {
  const m = { left: 60, right: 18, top: 44, bottom: 50 };
  const plot = size - m.left - m.top;
  const all = [...Array.from(truth), ...Array.from(predicted)].filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  const pad = (hi - lo || 1) * 0.06;
  lo -= pad;
  hi += pad;
  const px = (v: number): number => m.left + ((v - lo) / (hi - lo)) * plot;
  const py = (v: number): number => m.top + (1 - (v - lo) / (hi - lo)) * plot;
  const f = (v: number): string => v.toFixed(1);
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-family="Inter, ui-sans-serif, system-ui, sans-serif">`);
  o.push(`<rect x="0.5" y="0.5" width="${size - 1}" height="${size - 1}" rx="12" fill="#fff" stroke="#e3e6ee"/>`);
  o.push(`<text x="${m.left - 38}" y="28" font-size="15" font-weight="650" fill="${PALETTE.text}">Predicted vs true</text>`);
  for (const t of niceTicks(lo, hi, 5)) {
    o.push(`<line x1="${m.left}" x2="${m.left + plot}" y1="${f(py(t))}" y2="${f(py(t))}" stroke="${PALETTE.grid}"/>`);
    o.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${m.top}" y2="${m.top + plot}" stroke="${PALETTE.grid}"/>`);
    o.push(`<text x="${m.left - 8}" y="${f(py(t) + 4)}" font-size="11" text-anchor="end" fill="${PALETTE.muted}">${Number(t.toPrecision(4))}</text>`);
    o.push(`<text x="${f(px(t))}" y="${m.top + plot + 17}" font-size="11" text-anchor="middle" fill="${PALETTE.muted}">${Number(t.toPrecision(4))}</text>`);
  }
  o.push(`<line x1="${f(px(lo))}" y1="${f(py(lo))}" x2="${f(px(hi))}" y2="${f(py(hi))}" stroke="${PALETTE.val}" stroke-width="1.6" stroke-dasharray="6 4"/>`);
  for (let i = 0; i < truth.length; i++) {
    if (!Number.isFinite(truth[i]) || !Number.isFinite(predicted[i])) continue;
    o.push(`<circle cx="${f(px(truth[i]))}" cy="${f(py(predicted[i]))}" r="3.6" fill="${PALETTE.train}" fill-opacity="0.75" stroke="#fff" stroke-width="0.8"/>`);
  }
  o.push(`<text x="${m.left + plot / 2}" y="${size - 14}" font-size="12" text-anchor="middle" fill="${PALETTE.muted}">true ${escapeXml(target)}</text>`);
  o.push(`<text transform="translate(16 ${m.top + plot / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="${PALETTE.muted}">predicted ${escapeXml(target)}</text>`);
  o.push(`<text x="${size - m.right}" y="28" font-size="11.5" text-anchor="end" fill="${PALETTE.val}">- - perfect prediction</text>`);
  o.push('</svg>');
  return o.join('\n');
}
