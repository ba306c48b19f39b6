/**
 * Opens a report page in headless Chromium (Debian `chromium`) over the Chrome DevTools protocol
 * and reports console errors, failed loads and the rendered size of every `<svg>`/`<img>`;
 * optionally saves a full-page screenshot. No puppeteer: a WebSocket and a few CDP calls.
 *
 * @module
 */

/** Where Chromium is looked for when no path is given (after `$LRTL_CHROMIUM`). */
export const CHROMIUM_PATHS = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The Chromium executable: `$LRTL_CHROMIUM`, else the first of {@link CHROMIUM_PATHS}. */
export function findChromium(): string | null {
  const env = Deno.env.get("LRTL_CHROMIUM");
  for (const p of env ? [env] : CHROMIUM_PATHS) {
    try {
      if (Deno.statSync(p).isFile) return p;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}

/** Options of {@link checkPageInBrowser}. */
export interface CheckPageOptions {
  /** Chromium executable (default {@link findChromium}). */
  chromium?: string;
  /** Save a full-page PNG screenshot here. */
  screenshotPath?: string;
  /** Viewport width in CSS pixels (default 1280). */
  width?: number;
  /** Give up after this long (default 60 000 ms). */
  timeoutMs?: number;
}

/** One `<svg>` or `<img>` of the page as laid out. */
export interface PageElement {
  tag: string;
  /** Alt text or id, to name it in messages. */
  name: string;
  width: number;
  height: number;
  /** For images: decoded with a non-zero natural size. */
  decoded: boolean;
}

/** What the browser saw. */
export interface BrowserCheck {
  title: string;
  /** Console errors, uncaught exceptions, error log entries and failed loads. */
  errors: string[];
  elements: PageElement[];
  /** Full page size in CSS pixels. */
  pageWidth: number;
  pageHeight: number;
  /** Widest element's right edge, to detect horizontal overflow. */
  scrollWidth: number;
  screenshotPath?: string;
}

/** The Chromium flags used (headless, no network, fresh profile added per run). */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--hide-scrollbars",
  "--remote-debugging-port=0",
];

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
}

class Cdp {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  #listeners: ((m: CdpMessage) => void)[] = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as CdpMessage;
      if (m.id !== undefined) {
        const p = this.#pending.get(m.id);
        this.#pending.delete(m.id);
        if (m.error) p?.reject(new Error(`CDP error: ${m.error.message}`));
        else p?.resolve(m.result ?? {});
      } else {
        for (const l of this.#listeners) l(m);
      }
    };
    ws.onclose = () => {
      for (const p of this.#pending.values()) p.reject(new Error("CDP connection closed"));
      this.#pending.clear();
    };
  }

  static connect(url: string): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(new Cdp(ws));
      ws.onerror = (e) => reject(new Error(`Cannot connect to Chromium at ${url}: ${e.type}`));
    });
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  on(listener: (m: CdpMessage) => void) {
    this.#listeners.push(listener);
  }

  waitFor(method: string): Promise<CdpMessage> {
    return new Promise((resolve) => this.on((m) => m.method === method && resolve(m)));
  }

  close(): Promise<void> {
    if (this.#ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#ws.addEventListener("close", () => resolve());
      this.#ws.close();
    });
  }
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const ELEMENTS_JS = `JSON.stringify({
  title: document.title,
  pageWidth: document.documentElement.scrollWidth,
  pageHeight: document.documentElement.scrollHeight,
  scrollWidth: Math.max(...[...document.querySelectorAll("body *")].map(
    (e) => e.getBoundingClientRect().right)),
  elements: [...document.querySelectorAll("svg, img")].map((e) => {
    const r = e.getBoundingClientRect();
    const img = e.tagName.toLowerCase() === "img";
    return { tag: e.tagName.toLowerCase(), name: e.getAttribute("alt") || e.id || "",
      width: r.width, height: r.height,
      decoded: img ? (e.complete && e.naturalWidth > 0 && e.naturalHeight > 0) : true };
  }),
})`;

/**
 * Loads `htmlPath` in headless Chromium and reports what it saw.
 * @throws Error when Chromium is missing, does not start, or the page does not load in time
 */
export async function checkPageInBrowser(
  htmlPath: string,
  opts: CheckPageOptions = {},
): Promise<BrowserCheck> {
  const chromium = opts.chromium ?? findChromium();
  if (!chromium) {
    throw new Error(
      `Cannot check "${htmlPath}" in a browser: chromium not found ` +
        `(install Debian package chromium or set LRTL_CHROMIUM)`,
    );
  }
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const width = opts.width ?? 1280;
  const absPath = await Deno.realPath(htmlPath);
  const profile = await Deno.makeTempDir({ prefix: "lrtl-chromium-" });
  const child = new Deno.Command(chromium, {
    args: [
      ...CHROMIUM_FLAGS,
      `--user-data-dir=${profile}`,
      `--window-size=${width},900`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "";
  const stderrDone = (async () => {
    const dec = new TextDecoder();
    for await (const chunk of child.stderr) stderr = (stderr + dec.decode(chunk)).slice(-4000);
  })();
  let cdp: Cdp | null = null;
  try {
    // DevToolsActivePort holds the port Chromium picked.
    const port = await withTimeout(
      (async () => {
        while (true) {
          try {
            const text = await Deno.readTextFile(`${profile}/DevToolsActivePort`);
            const line = text.split("\n")[0].trim();
            if (/^\d+$/.test(line)) return Number(line);
          } catch (e) {
            if (!(e instanceof Deno.errors.NotFound)) throw e;
          }
          await sleep(50);
        }
      })(),
      timeoutMs,
      `Chromium did not open its DevTools port (stderr: ${stderr.slice(-500)})`,
    );
    const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === "page");
    if (!page) throw new Error("Chromium started without a page target");
    cdp = await Cdp.connect(page.webSocketDebuggerUrl);
    const errors: string[] = [];
    cdp.on((m) => {
      const p = m.params ?? {};
      if (m.method === "Runtime.consoleAPICalled" && (p.type === "error" || p.type === "assert")) {
        const args = (p.args as { value?: unknown; description?: string }[]) ?? [];
        errors.push(`console.${p.type}: ${args.map((a) => a.description ?? a.value).join(" ")}`);
      } else if (m.method === "Runtime.exceptionThrown") {
        const d = p.exceptionDetails as { text?: string; exception?: { description?: string } };
        errors.push(`exception: ${d.exception?.description ?? d.text}`);
      } else if (m.method === "Log.entryAdded") {
        const e = p.entry as { level: string; text: string; url?: string };
        if (e.level === "error") errors.push(`log: ${e.text}${e.url ? ` (${e.url})` : ""}`);
      } else if (m.method === "Network.loadingFailed") {
        errors.push(`load failed: ${p.errorText} (${p.type})`);
      }
    });
    await cdp.send("Runtime.enable");
    await cdp.send("Log.enable");
    await cdp.send("Network.enable");
    await cdp.send("Page.enable");
    await cdp.send("Emulation.setDeviceMetricsOverride", {
      width,
      height: 900,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const loaded = cdp.waitFor("Page.loadEventFired");
    const nav = await cdp.send("Page.navigate", { url: `file://${absPath}` });
    if (nav.errorText) throw new Error(`Cannot open "${absPath}": ${nav.errorText}`);
    await withTimeout(loaded, timeoutMs, `loading "${absPath}"`);
    await sleep(100); // let late console messages arrive
    const ev = await cdp.send("Runtime.evaluate", { expression: ELEMENTS_JS, returnByValue: true });
    const info = JSON.parse((ev.result as { value: string }).value) as Omit<
      BrowserCheck,
      "errors" | "screenshotPath"
    >;
    const result: BrowserCheck = { ...info, errors };
    if (opts.screenshotPath) {
      const height = Math.min(Math.ceil(info.pageHeight), 16_000);
      const shot = await cdp.send("Page.captureScreenshot", {
        format: "png",
        captureBeyondViewport: true,
        clip: { x: 0, y: 0, width, height, scale: 1 },
      });
      const bytes = Uint8Array.from(atob(shot.data as string), (c) => c.charCodeAt(0));
      await Deno.writeFile(opts.screenshotPath, bytes);
      result.screenshotPath = opts.screenshotPath;
    }
    return result;
  } finally {
    await cdp?.close();
    await stopChromium(child, stderrDone, profile);
  }
}

async function stopChromium(
  child: Deno.ChildProcess,
  stderrDone: Promise<void>,
  profile: string,
): Promise<void> {
  try {
    child.kill("SIGTERM");
  } catch (e) {
    if (!(e instanceof TypeError)) throw e; // TypeError: it has already exited
  }
  await child.status;
  await stderrDone;
  // Chromium's helper processes may still be writing into the profile: retry a few times.
  for (let attempt = 1;; attempt++) {
    try {
      await Deno.remove(profile, { recursive: true });
      return;
    } catch (e) {
      if (attempt >= 5) throw e;
      await sleep(100 * attempt);
    }
  }
}
