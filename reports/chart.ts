/**
 * Renders a Vega-Lite template filled with named datasets to SVG (headless Vega) and PNG (resvg
 * with an explicitly loaded font).
 *
 * @module
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import { chartFontFiles } from "./font.ts";
import { CHART_FONT } from "./templates/theme.ts";

/**
 * Compiles `spec`, fills its named datasets and returns the SVG text.
 * @param datasets values per dataset name; every name must be one the spec reads
 */
export async function renderSvg(
  spec: TopLevelSpec,
  datasets: Record<string, readonly unknown[]>,
): Promise<string> {
  const compiled = compile(spec).spec;
  const names = new Set((compiled.data ?? []).map((d) => d.name));
  for (const name of Object.keys(datasets)) {
    if (!names.has(name)) {
      throw new Error(
        `Cannot fill chart: dataset "${name}" is not read by the template ` +
          `(it reads ${[...names].map((n) => `"${n}"`).join(", ")})`,
      );
    }
  }
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    for (const [name, values] of Object.entries(datasets)) {
      view.data(name, values.map((v) => ({ ...(v as Record<string, unknown>) })));
    }
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises an SVG chart to PNG at `scale`× with DejaVu Sans loaded from `fontDir`.
 * @throws Error when the font files are missing
 */
export function svgToPng(svg: string, opts: { fontDir?: string; scale?: number } = {}): Uint8Array {
  const resvg = new Resvg(svg, {
    font: {
      fontFiles: chartFontFiles(opts.fontDir),
      loadSystemFonts: false,
      defaultFontFamily: CHART_FONT,
      sansSerifFamily: CHART_FONT,
    },
    fitTo: { mode: "zoom", value: opts.scale ?? 2 },
    background: "white",
  });
  return resvg.render().asPng();
}
