// Headless Chromium (the Debian package `chromium`, which .ci/run installs) driven by
// playwright-core, plus the checks every page must pass: axe-core, console and network, layout
// at 375 px, visible keyboard focus.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SITEWATCH_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

export interface PageProblems {
  console: string[];
  failedRequests: string[];
}

/** A page that records console errors, uncaught exceptions and failed or erroring requests. */
export async function watchedPage(
  browser: Browser,
  width = 1280,
): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: PageProblems = { console: [], failedRequests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') problems.console.push(message.text());
  });
  page.on('pageerror', (error) => problems.console.push(error.message));
  page.on('requestfailed', (request) => problems.failedRequests.push(`${request.method()} ${request.url()}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.failedRequests.push(`${response.status()} ${response.url()}`);
  });
  return { page, problems };
}

/** axe-core's serious and critical violations (rule id and the first offending nodes). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: {
          run(): Promise<{
            violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }>;
          }>;
        };
      }
    ).axe;
    return (await axe.run()).violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)),
    }));
  });
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.join(', ')}`);
}

// The page-side code is passed as source text: this project's TypeScript has no DOM library.
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
}

/** Tabs to the next focusable element and reports it and whether its focus ring is visible. */
export async function tabAndInspectFocus(
  page: Page,
): Promise<{ tag: string; text: string; visible: boolean }> {
  await page.keyboard.press('Tab');
  return page.evaluate(`(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return { tag: 'body', text: '', visible: false };
    const style = getComputedStyle(element);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    const rect = element.getBoundingClientRect();
    const onScreen = rect.width > 0 && rect.height > 0 && rect.right > 0 && rect.bottom > 0;
    return { tag: element.tagName.toLowerCase(), text: (element.textContent || '').trim(), visible: outline && onScreen };
  })()`);
}
