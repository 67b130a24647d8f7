/**
 * The dev server's real Web UI in headless Chromium: the workflow list filtered by a job's search attribute shows
 * the job and every tenant child, and a tenant's page shows its search attributes and memo.
 * Screenshots go to test-results/web-ui/ (git-ignored).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantWorkflowId } from '../../contracts/names';
import { freePort, startDevServer, type DevServer } from '../../tools/temporal/dev-server';
import { PROJECT_ROOT } from '../../tools/paths';
import type { bulkJob } from '../../workflows';
import { browserRequired, findChromium } from '../helpers/chromium';
import { assignmentRows, createWorld, type World } from '../helpers/world';

const SCREENSHOT_DIR = path.join(PROJECT_ROOT, 'test-results', 'web-ui');
const ORGS = ['acme', 'globex', 'initech'];
const PER_TENANT = 20;

/** Chromium on a closed network: without the background switches it keeps calling home and flooding the log. */
async function launchChromium(executablePath: string, profileDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    timeout: 30_000,
    viewport: { width: 1600, height: 900 },
    args: [
      '--no-sandbox', // we run as root in CI
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  console.log(`Web UI screenshot: ${file}`);
}

/** The rows of the Web UI's workflow table, by column header; read from text, not from the UI's CSS. */
async function readWorkflowTable(page: Page): Promise<{ id: string; type: string; status: string }[]> {
  const table: Locator = page.getByRole('table', { name: 'Workflows' });
  // Rows render once the list query answers; until then there is nothing to read (and the poll tries again).
  await table.getByRole('cell').first().waitFor({ timeout: 10_000 });
  const headers = (await table.getByRole('columnheader').allTextContents()).map((text) => text.trim());
  const rows = await table.locator('tbody').getByRole('row').all();
  const listed = await Promise.all(
    rows.map(async (row) => {
      const cells = (await row.getByRole('cell').allTextContents()).map((text) => text.trim());
      const column = (name: string) => cells[headers.indexOf(name)] ?? '';
      return { id: column('Workflow ID'), type: column('Type'), status: column('Status') };
    }),
  );
  return listed.sort((a, b) => a.id.localeCompare(b.id));
}

/** A JSON panel of a workflow's page (the UI shows it in a read-only code editor labelled with the tab's name). */
async function readJsonPanel(page: Page, tab: string): Promise<unknown> {
  await page.getByRole('tab', { name: tab, exact: true }).click();
  const text = await page.getByRole('textbox', { name: tab, exact: true }).innerText({ timeout: 10_000 });
  return JSON.parse(text);
}

describe('the Web UI of the dev server', () => {
  let world: World;
  let uiUrl: string;
  let browser: BrowserContext;
  /** Why the test is skipped: no browser on this machine (never in CI, see `browserRequired`). */
  let skipReason: string | undefined;
  /** Undone in reverse order after the tests, each even if another failed, so nothing outlives the file. */
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const browserLookup = findChromium();
    if ('missing' in browserLookup) {
      // CI installs Chromium (.ci/run) and requires this test; elsewhere a machine without one skips it, visibly.
      if (browserRequired()) throw new Error(browserLookup.missing);
      skipReason = browserLookup.missing;
      console.warn(`Web UI test skipped: ${skipReason}`);
      return;
    }
    // A server of our own: the shared one of the test run is headless.
    const server: DevServer = await startDevServer({ uiPort: await freePort() });
    cleanups.push(() => server.stop());
    uiUrl = server.uiUrl!;
    world = await createWorld({ address: server.address, orgs: ORGS.map((id) => ({ id, throttle: null })) });
    cleanups.push(() => world.close());
    const profileDir = await mkdtemp(path.join(os.tmpdir(), 'wfm-bulk-chromium-'));
    cleanups.push(() => rm(profileDir, { recursive: true, force: true }));
    browser = await launchChromium(browserLookup.found, profileDir);
    cleanups.push(() => browser.close());
  });

  afterAll(async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
    if (errors.length > 0) throw new AggregateError(errors, 'cleaning up after the Web UI test failed');
  });

  it('lists a job and its tenants, filtered by WfmJobId, and shows a tenant’s search attributes and memo', async ({
    skip,
  }) => {
    if (skipReason) skip(skipReason);
    const tenantIds = ORGS.map((name) => world.tenant(name));
    const rows = tenantIds.flatMap((tenantId) => {
      const schedules = world.sim.state.config.orgs.find((org) => org.id === tenantId)!.schedules;
      return assignmentRows(tenantId, schedules, PER_TENANT);
    });
    const { jobId } = await world.startJobFromRows(rows);
    // A finished job, so the list has nothing left to change but visibility catching up.
    const result = await world.client.workflow.getHandle<typeof bulkJob>(jobId).result();
    expect(result).toMatchObject({ status: 'completed', applied: rows.length });

    const page = browser.pages()[0] ?? (await browser.newPage());
    // Web UI 2.54 takes the list filter as `query`, in the visibility query syntax of the filter box.
    const listUrl = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`WfmJobId="${jobId}"`)}`;
    console.log(`Web UI list: ${listUrl}`);
    const expected = [
      { id: jobId, type: 'bulkJob', status: 'Completed' },
      ...tenantIds.map((tenantId) => ({
        id: tenantWorkflowId(jobId, tenantId),
        type: 'tenantAssignments',
        status: 'Completed',
      })),
    ].sort((a, b) => a.id.localeCompare(b.id));
    try {
      // Visibility is eventually consistent: load the list again until it shows every workflow of the job.
      await expect
        .poll(
          async () => {
            await page.goto(listUrl);
            return readWorkflowTable(page);
          },
          { timeout: 60_000, interval: 1_000 },
        )
        .toEqual(expected);
    } finally {
      await screenshot(page, 'job-list');
    }

    const tenantId = tenantIds[0]!;
    await page.getByRole('link', { name: tenantWorkflowId(jobId, tenantId), exact: true }).click();
    const searchAttributes = await readJsonPanel(page, 'Search Attributes');
    await screenshot(page, 'tenant-search-attributes');
    expect(searchAttributes).toMatchObject({
      WfmJobId: jobId,
      WfmTenantId: tenantId,
      WfmStatus: 'completed',
      WfmTotal: PER_TENANT,
      WfmApplied: PER_TENANT,
      WfmFailed: 0,
    });
    const memo = await readJsonPanel(page, 'Memo');
    await screenshot(page, 'tenant-memo');
    expect(memo).toMatchObject({ fields: { jobId, tenantId, total: PER_TENANT } });
  });
});
