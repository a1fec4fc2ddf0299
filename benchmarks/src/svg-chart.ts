// Line and grouped-bar charts as plain SVG text: enough for a results page, with no dependency to
// install or keep up to date. Log axes because the numbers compared here often differ by 100×.

const WIDTH = 860;
const HEIGHT = 420;
const MARGIN = { left: 78, right: 290, top: 44, bottom: 56 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];

/** `color` pairs series that belong together (a measurement and its floor); default the next in the palette. */
export type LineSeries = { name: string; points: ReadonlyArray<readonly [number, number]>; dashed?: boolean; color?: string };

export const PALETTE: readonly string[] = COLORS;
export type LineChartSpec = { title: string; xLabel: string; yLabel: string; series: readonly LineSeries[]; logX?: boolean; logY?: boolean };
export type BarSeries = { name: string; values: readonly number[] };
export type BarChartSpec = { title: string; yLabel: string; categories: readonly string[]; series: readonly BarSeries[]; logY?: boolean };

type Axis = { toPixel: (value: number) => number; ticks: number[] };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2, 5 × 10^k steps, about five of them over [low, high]. */
function linearTicks(low: number, high: number): number[] {
  const span = high - low || Math.abs(high) || 1;
  const rough = span / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let tick = Math.floor(low / step) * step; tick <= high + step / 2; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

function axis(values: readonly number[], log: boolean, pixels: number, flip: boolean, zeroBased: boolean): Axis {
  const finite = values.filter((value) => Number.isFinite(value) && (!log || value > 0));
  let low = finite.length === 0 ? 0 : Math.min(...finite);
  let high = finite.length === 0 ? 1 : Math.max(...finite);
  let ticks: number[];
  let scale: (value: number) => number;
  if (log) {
    low = 10 ** Math.floor(Math.log10(low || 1));
    high = 10 ** Math.ceil(Math.log10(high || 1));
    if (high <= low) high = low * 10;
    ticks = [];
    for (let tick = low; tick <= high * 1.0001; tick *= 10) ticks.push(Number(tick.toPrecision(12)));
    scale = (value) => (Math.log10(Math.max(value, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
  } else {
    if (zeroBased) low = Math.min(0, low);
    ticks = linearTicks(low, high);
    low = ticks[0]!;
    high = ticks.at(-1)!;
    if (high <= low) high = low + 1;
    scale = (value) => (value - low) / (high - low);
  }
  return { ticks, toPixel: (value) => (flip ? pixels * (1 - scale(value)) : pixels * scale(value)) };
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return `${value / 1e6}M`;
  if (magnitude >= 1e4) return `${value / 1e3}k`;
  return magnitude >= 1 ? String(Number(value.toPrecision(4))) : String(Number(value.toPrecision(2)));
}

function frame(title: string, xLabel: string, yLabel: string, body: string[], legend: ReadonlyArray<{ name: string; color: string; dashed?: boolean }>): string {
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${MARGIN.left + PLOT_WIDTH / 2}" y="${HEIGHT - 14}" text-anchor="middle">${escapeXml(xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escapeXml(yLabel)}</text>`,
    ...body,
  ];
  legend.forEach((entry, index) => {
    const y = MARGIN.top + 10 + index * 20;
    const x = WIDTH - MARGIN.right + 16;
    parts.push(
      `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${entry.color}" stroke-width="3"${entry.dashed === true ? ' stroke-dasharray="6 3"' : ''}/>`,
      `<text x="${x + 28}" y="${y + 4}">${escapeXml(entry.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function yGrid(y: Axis): string[] {
  return y.ticks.flatMap((tick) => {
    const pixel = MARGIN.top + y.toPixel(tick);
    return [
      `<line x1="${MARGIN.left}" y1="${pixel.toFixed(1)}" x2="${MARGIN.left + PLOT_WIDTH}" y2="${pixel.toFixed(1)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${(pixel + 4).toFixed(1)}" text-anchor="end">${formatTick(tick)}</text>`,
    ];
  });
}

function plotBorder(): string {
  return `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT_WIDTH}" height="${PLOT_HEIGHT}" fill="none" stroke="#999"/>`;
}

/** Lines with a marker at every point; series may have different x values. */
export function lineChart(spec: LineChartSpec): string {
  const points = spec.series.flatMap((series) => series.points);
  const x = axis(points.map(([value]) => value), spec.logX === true, PLOT_WIDTH, false, false);
  const y = axis(points.map(([, value]) => value), spec.logY === true, PLOT_HEIGHT, true, true);
  const body = [...yGrid(y)];
  for (const tick of x.ticks) {
    const pixel = MARGIN.left + x.toPixel(tick);
    body.push(
      `<line x1="${pixel.toFixed(1)}" y1="${MARGIN.top}" x2="${pixel.toFixed(1)}" y2="${MARGIN.top + PLOT_HEIGHT}" stroke="#f0f0f0"/>`,
      `<text x="${pixel.toFixed(1)}" y="${MARGIN.top + PLOT_HEIGHT + 16}" text-anchor="middle">${formatTick(tick)}</text>`,
    );
  }
  body.push(plotBorder());
  const legend = spec.series.map((series, index) => ({ name: series.name, color: series.color ?? COLORS[index % COLORS.length]!, ...(series.dashed === true ? { dashed: true } : {}) }));
  spec.series.forEach((series, index) => {
    const color = legend[index]!.color;
    const coordinates = series.points
      .filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py))
      .map(([px, py]) => [MARGIN.left + x.toPixel(px), MARGIN.top + y.toPixel(py)] as const);
    if (coordinates.length > 1) {
      const path = coordinates.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
      body.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"${series.dashed === true ? ' stroke-dasharray="6 3"' : ''}/>`);
    }
    // Dense series (a point per turn) read better as a line alone.
    if (coordinates.length <= 40) {
      for (const [px, py] of coordinates) body.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${color}"/>`);
    }
  });
  return frame(spec.title, spec.xLabel, spec.yLabel, body, legend);
}

/** Bars grouped by category, one bar per series, its value printed above it. */
export function barChart(spec: BarChartSpec): string {
  const y = axis(spec.series.flatMap((series) => series.values), spec.logY === true, PLOT_HEIGHT, true, true);
  const body = [...yGrid(y), plotBorder()];
  const groupWidth = PLOT_WIDTH / Math.max(1, spec.categories.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, spec.series.length);
  const legend = spec.series.map((series, index) => ({ name: series.name, color: COLORS[index % COLORS.length]! }));
  spec.categories.forEach((category, group) => {
    const groupLeft = MARGIN.left + group * groupWidth + groupWidth * 0.1;
    body.push(`<text x="${(groupLeft + groupWidth * 0.4).toFixed(1)}" y="${MARGIN.top + PLOT_HEIGHT + 16}" text-anchor="middle">${escapeXml(category)}</text>`);
    spec.series.forEach((series, index) => {
      const value = series.values[group];
      if (value === undefined || !Number.isFinite(value)) return;
      const top = MARGIN.top + y.toPixel(value);
      const bottom = MARGIN.top + PLOT_HEIGHT;
      const left = groupLeft + index * barWidth;
      body.push(
        `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth * 0.92).toFixed(1)}" height="${Math.max(0, bottom - top).toFixed(1)}" fill="${legend[index]!.color}"/>`,
        `<text x="${(left + barWidth / 2).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="10">${Number(value.toPrecision(3))}</text>`,
      );
    });
  });
  return frame(spec.title, '', spec.yLabel, body, legend);
}
