// The scale curve as a small hand-written SVG: two panels over sources on a log axis, polls/s
// sustained (and the schedule's demand, dotted) above, p99 poll lateness below; one polyline per
// series (single Redis, Redis Cluster).

export interface CurvePoint {
  sources: number;
  pollsPerSec: number;
  demandPerSec: number;
  p99LatenessS: number;
}

export interface CurveSeries {
  label: string;
  points: CurvePoint[];
}

const W = 640;
const PANEL_H = 200;
const M = { left: 64, right: 180, top: 50, gap: 56, bottom: 56 };
const COLORS = ['#1f6fb2', '#c4462b', '#2e8b57', '#7b4fa0'];

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const num = (x: number) => (Number.isFinite(x) ? x : 0);

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least `x`. */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export function scaleCurveSvg(series: CurveSeries[], title: string, note = ''): string {
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.sources).filter((x) => x > 0);
  const lo = Math.log10(Math.min(...xs, 1000));
  const hi = Math.max(Math.log10(Math.max(...xs, 10_000)), lo + 1);
  const plotW = W - M.left - M.right;
  const x = (s: number) => M.left + ((Math.log10(s) - lo) / (hi - lo)) * plotW;
  const out: string[] = [];
  const panel = (
    i: number,
    label: string,
    max: number,
    lines: { pts: [number, number][]; color: string; dash?: string; name: string }[],
  ) => {
    const top = M.top + i * (PANEL_H + M.gap);
    const y = (v: number) => top + PANEL_H - (Math.min(num(v), max) / max) * PANEL_H;
    out.push(
      `<rect x="${M.left}" y="${top}" width="${plotW}" height="${PANEL_H}" fill="none" stroke="#999"/>`,
      `<text x="${M.left}" y="${top - 8}" font-size="13" font-weight="bold">${esc(label)}</text>`,
    );
    for (let k = 0; k <= 4; k++) {
      const v = (max * k) / 4;
      out.push(
        `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`,
        `<text x="${M.left - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`,
      );
    }
    for (let d = Math.ceil(lo); d <= Math.floor(hi); d++) {
      const px = x(10 ** d);
      out.push(
        `<line x1="${px}" x2="${px}" y1="${top}" y2="${top + PANEL_H}" stroke="#eee"/>`,
        `<text x="${px}" y="${top + PANEL_H + 15}" font-size="11" text-anchor="middle">${(10 ** d).toLocaleString('en-US')}</text>`,
      );
    }
    lines.forEach((l, k) => {
      if (l.pts.length === 0) return;
      const pts = l.pts.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
      out.push(
        `<polyline points="${pts}" fill="none" stroke="${l.color}" stroke-width="2"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>`,
        ...l.pts.map(
          ([s, v]) =>
            `<circle cx="${x(s).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${l.color}"/>`,
        ),
        `<line x1="${W - M.right + 10}" x2="${W - M.right + 30}" y1="${top + 14 + k * 16}" y2="${top + 14 + k * 16}" stroke="${l.color}" stroke-width="2"${l.dash ? ` stroke-dasharray="${l.dash}"` : ''}/>`,
        `<text x="${W - M.right + 34}" y="${top + 18 + k * 16}" font-size="11">${esc(l.name)}</text>`,
      );
    });
  };
  const sorted = series.map((s) => ({
    ...s,
    points: [...s.points].sort((a, b) => a.sources - b.sources),
  }));
  panel(
    0,
    'polls/s sustained (dotted: the schedule asks)',
    niceMax(Math.max(...all.map((p) => Math.max(num(p.pollsPerSec), num(p.demandPerSec))), 1)),
    sorted.flatMap((s, i) => [
      {
        pts: s.points.map((p) => [p.sources, p.pollsPerSec] as [number, number]),
        color: COLORS[i % COLORS.length]!,
        name: s.label,
      },
      {
        pts: s.points.map((p) => [p.sources, p.demandPerSec] as [number, number]),
        color: COLORS[i % COLORS.length]!,
        dash: '3 3',
        name: `${s.label}, asked`,
      },
    ]),
  );
  panel(
    1,
    'p99 poll lateness, s (due → started)',
    niceMax(Math.max(...all.map((p) => num(p.p99LatenessS)), 1)),
    sorted.map((s, i) => ({
      pts: s.points.map((p) => [p.sources, p.p99LatenessS] as [number, number]),
      color: COLORS[i % COLORS.length]!,
      name: s.label,
    })),
  );
  const h = M.top + 2 * PANEL_H + M.gap + M.bottom;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${h}" fill="#fff"/>`,
    `<text x="${M.left}" y="18" font-size="14">${esc(title)}</text>`,
    ...out,
    `<text x="${M.left + plotW / 2}" y="${h - 22}" font-size="12" text-anchor="middle">sources (log scale)</text>`,
    note ? `<text x="${M.left}" y="${h - 6}" font-size="10" fill="#555">${esc(note)}</text>` : '',
    `</svg>`,
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}
