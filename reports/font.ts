/**
 * The font files PNG rendering loads explicitly (resvg does not fall back silently here).
 *
 * @module
 */

/** Where Debian's `fonts-dejavu-core` puts DejaVu. */
export const DEFAULT_FONT_DIR = "/usr/share/fonts/truetype/dejavu";

/** The files of the DejaVu Sans family the charts use. */
export const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf"];

/**
 * The absolute paths of the chart font files in `fontDir`.
 * @throws Error naming the missing file and the Debian package to install.
 */
export function chartFontFiles(fontDir: string = DEFAULT_FONT_DIR): string[] {
  return FONT_FILES.map((name) => {
    const path = `${fontDir.replace(/\/+$/, "")}/${name}`;
    let ok = false;
    try {
      ok = Deno.statSync(path).isFile;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (!ok) {
      throw new Error(
        `Cannot render chart PNGs: font file "${path}" is missing ` +
          `(install Debian package fonts-dejavu-core, or pass fontDir)`,
      );
    }
    return path;
  });
}
