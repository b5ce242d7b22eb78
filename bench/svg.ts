/**
 * A grouped bar chart as a self-contained SVG (no dependency): one group per x label, one bar per series.
 * `log` draws the y axis in powers of ten (latencies from sub-millisecond to seconds in one chart).
 */
export interface BarChart {
  title: string;
  unit: string;
  groups: string[];
  series: { name: string; values: (number | null)[] }[];
  log?: boolean;
}

const COLOURS = ['#6b7280', '#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed'];

/** A character XML 1.0 allows (tab, newlines, and from space up, without lone surrogates or U+FFFE/F). */
export const xmlChar = (c: number): boolean =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c < 0xd800) ||
  (c > 0xdfff && c < 0xfffe) ||
  c > 0xffff;

/** Text escaped for XML character data and attribute values (characters XML forbids are dropped). */
export function escapeXml(text: string): string {
  const allowed = Array.from(text)
    .filter((ch) => xmlChar(ch.codePointAt(0) ?? 0))
    .join('');
  return allowed.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string,
  );
}

const fmt = (v: number): string =>
  Number.isInteger(v)
    ? v.toLocaleString('en')
    : v >= 100
      ? String(Math.round(v))
      : v >= 10
        ? v.toFixed(1)
        : v >= 1
          ? v.toFixed(2)
          : v.toPrecision(2);

export function barChart(chart: BarChart): string {
  const width = 760;
  const height = 360;
  const left = 64;
  const right = 16;
  const top = 40;
  const bottom = 70;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const values = chart.series.flatMap((s) => s.values).filter((v): v is number => v !== null && v > 0);
  const max = Math.max(1e-3, ...values);
  const min = Math.min(max, ...values);
  const logLo = Math.floor(Math.log10(Math.max(1e-3, min)));
  const logHi = Math.max(logLo + 1, Math.ceil(Math.log10(max)));
  const linHi = niceCeil(max);
  const y = (v: number): number => {
    const f = chart.log
      ? (Math.log10(Math.max(v, 10 ** logLo)) - logLo) / (logHi - logLo)
      : Math.max(0, v) / linHi;
    return top + plotH - f * plotH;
  };
  const ticks = chart.log
    ? Array.from({ length: logHi - logLo + 1 }, (_, i) => 10 ** (logLo + i))
    : Array.from({ length: 6 }, (_, i) => (linHi * i) / 5);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12" role="img" aria-label="${escapeXml(chart.title)}">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  );
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${ty}" y2="${ty}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${escapeXml(fmt(t))}</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">${escapeXml(chart.unit)}${chart.log ? ' (log)' : ''}</text>`,
  );
  const groupW = plotW / Math.max(1, chart.groups.length);
  const barW = (groupW * 0.8) / Math.max(1, chart.series.length);
  chart.groups.forEach((group, g) => {
    const gx = left + g * groupW + groupW * 0.1;
    chart.series.forEach((series, s) => {
      const v = series.values[g];
      if (v === null || v === undefined) return;
      const by = y(v);
      const x = gx + s * barW;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${by.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${(top + plotH - by).toFixed(1)}" fill="${COLOURS[s % COLOURS.length]}"><title>${escapeXml(`${series.name}, ${group}: ${fmt(v)} ${chart.unit}`)}</title></rect>`,
        `<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(by - 3).toFixed(1)}" text-anchor="middle" font-size="10">${escapeXml(fmt(v))}</text>`,
      );
    });
    parts.push(
      `<text x="${(gx + groupW * 0.4).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle">${escapeXml(group)}</text>`,
    );
  });
  parts.push(
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#111"/>`,
  );
  chart.series.forEach((series, s) => {
    // Two legend entries a row.
    const lx = left + (s % 2) * 340;
    const ly = height - 36 + Math.floor(s / 2) * 16;
    parts.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${COLOURS[s % COLOURS.length]}"/>`,
      `<text x="${lx + 16}" y="${ly + 1}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function niceCeil(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
