// Opens Swagger UI at /docs in headless Chromium (Debian's), checks that every operation
// of /openapi.json renders, runs "Try it out" on GET /healthz and on an authorized
// GET /instances, and saves a screenshot.
//
// Usage: node docs-browser.cjs BASE_URL ACCOUNT_KEY SCREENSHOT
// PLAYWRIGHT_CORE names the installed playwright-core package directory.
"use strict";

const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const [base, key, screenshot] = process.argv.slice(2);

function fail(message) {
  console.error(`browser: FAILED: ${message}`);
  process.exit(1);
}

(async () => {
  if (!base || !key || !screenshot) fail("usage: docs-browser.cjs BASE_URL ACCOUNT_KEY SCREENSHOT");
  const doc = await (await fetch(`${base}/openapi.json`)).json();
  const expected = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of Object.keys(item)) {
      if (["get", "post", "put", "patch", "delete"].includes(method)) expected.push(`${method.toUpperCase()} ${path}`);
    }
  }
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const failures = [];
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Nothing of the page may come from anywhere but the server under test.
    const foreign = [];
    page.on("request", (req) => {
      if (!req.url().startsWith(base) && !req.url().startsWith("data:")) foreign.push(req.url());
    });
    page.on("pageerror", (err) => failures.push(`page error: ${err.message}`));
    await page.goto(`${base}/docs`, { waitUntil: "networkidle" });
    if (!page.url().endsWith("/docs/index.html")) failures.push(`/docs led to ${page.url()}`);
    await page.waitForSelector(".opblock", { timeout: 30000 });
    await page.waitForFunction((n) => document.querySelectorAll(".opblock").length >= n, expected.length, {
      timeout: 30000,
    });
    const title = await page.textContent(".info .title");
    if (!title || !title.includes("Roster")) failures.push(`title: ${title}`);
    const rendered = await page.$$eval(".opblock", (blocks) =>
      blocks.map((b) => {
        const method = b.querySelector(".opblock-summary-method")?.textContent.trim();
        const path = b.querySelector(".opblock-summary-path")?.getAttribute("data-path");
        return `${method} ${path}`;
      }),
    );
    const missing = expected.filter((op) => !rendered.includes(op));
    if (missing.length) failures.push(`operations not rendered: ${missing.join(", ")}`);
    console.log(`browser: ${rendered.length} operations rendered (${expected.length} in /openapi.json)`);
    await page.screenshot({ path: screenshot, fullPage: false });

    // Try it out, without a key: GET /healthz.
    const health = page.locator("#operations-health-healthz");
    await health.locator(".opblock-summary").click();
    await health.locator("button.execute").click();
    const healthStatus = await health.locator(".live-responses-table tr.response .response-col_status").first().textContent({ timeout: 15000 });
    if (healthStatus.trim() !== "200") failures.push(`try it out GET /healthz: ${healthStatus}`);
    await health.locator(".opblock-summary").click();

    // Authorize with the key, then try GET /instances.
    await page.click("button.authorize");
    const dialog = page.locator(".dialog-ux");
    await dialog.locator("input").first().fill(key);
    await dialog.locator("button.authorize").first().click();
    await dialog.locator("button.btn-done").first().click();
    const list = page.locator("#operations-instances-listInstances");
    await list.locator(".opblock-summary").click();
    await list.locator("button.execute").click();
    const listStatus = await list.locator(".live-responses-table tr.response .response-col_status").first().textContent({ timeout: 15000 });
    if (listStatus.trim() !== "200") failures.push(`try it out GET /instances with the key: ${listStatus}`);
    const body = await list.locator(".responses-wrapper .live-responses-table .microlight").first().textContent();
    if (!body.includes('"instances"')) failures.push(`GET /instances body: ${body.slice(0, 200)}`);
    console.log(`browser: try it out: GET /healthz ${healthStatus.trim()}, GET /instances ${listStatus.trim()}`);

    const tried = screenshot.replace(/\.png$/, "-try-it-out.png");
    await list.scrollIntoViewIfNeeded();
    await page.screenshot({ path: tried, fullPage: false });
    console.log(`browser: screenshots ${screenshot}, ${tried}`);
    if (foreign.length) failures.push(`requests outside the server: ${foreign.join(", ")}`);
  } finally {
    await browser.close();
  }
  if (failures.length) fail(failures.join("\n"));
  console.log("browser: /docs passed");
})().catch((err) => fail(err.stack || String(err)));
