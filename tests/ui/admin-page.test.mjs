// The admin page in a real browser: Debian's Chromium driven by playwright-core.
// scripts/ui-test.sh starts the ADO emulator and integrations (fresh database, free ports)
// and runs this with:
//   BASE_URL        integrations, e.g. http://127.0.0.1:41234
//   EMULATOR_URL    the ADO emulator integrations talks to (for its fault injection)
//   JWT_SECRET      the HS256 key integrations verifies user tokens with
//   SERVICE_TOKEN   integrations' internal API credential
//   GOOD_PAT, SCOPELESS_PAT, ORGANIZATION   what the emulator was seeded with
//   SCREENSHOTS     where to save one PNG per state
// Every step asserts; the first failure exits non-zero with the step's name.

import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

function env(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`admin-page.test: ${name} is not set (run scripts/ui-test.sh)`);
    process.exit(2);
  }
  return value;
}

const BASE_URL = env('BASE_URL');
const EMULATOR_URL = env('EMULATOR_URL');
const JWT_SECRET = env('JWT_SECRET');
const SERVICE_TOKEN = env('SERVICE_TOKEN');
const GOOD_PAT = env('GOOD_PAT');
const SCOPELESS_PAT = env('SCOPELESS_PAT');
const ORGANIZATION = env('ORGANIZATION');
const SCREENSHOTS = env('SCREENSHOTS');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PAGE = `${BASE_URL}/settings/azure-devops`;

// ---------- tokens, signed like Navigator's ----------

const b64url = (value) => Buffer.from(value).toString('base64url');
function mint(claims) {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims }));
  const signature = createHmac('sha256', JWT_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}
const companyId = randomUUID();
const adminToken = mint({ sub: 'ui-admin', company_id: companyId, company_name: 'Acme', roles: ['CompanyAdmin'] });
const memberToken = mint({ sub: 'ui-member', company_id: companyId, roles: ['Member'] });
const expiredToken = mint({ sub: 'ui-admin', company_id: companyId, roles: ['CompanyAdmin'], exp: 1000 });

// ---------- the API, to check what the page did ----------

async function api(method, path, body, token = adminToken) {
  const res = await fetch(`${BASE_URL}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
async function theIntegration() {
  const { status, body } = await api('GET', '/v1/integrations');
  assert.equal(status, 200);
  return body.items[0];
}

// ---------- a tiny runner ----------

let passed = 0;
async function step(name, fn) {
  process.stdout.write(`  ${name} ... `);
  try {
    await fn();
    passed += 1;
    console.log('ok');
  } catch (err) {
    console.log('FAILED');
    throw Object.assign(err, { step: name });
  }
}

mkdirSync(SCREENSHOTS, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'navsync-ui-chromium-'));
// A fresh profile per run (the persistent context's user data dir), and the flags that keep
// Chromium off the network this machine does not have.
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
  viewport: { width: 1200, height: 900 },
});
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE_URL });
const page = context.pages()[0] || (await context.newPage());
const problems = [];
page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
page.on('console', (msg) => {
  if (/Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
});
const shot = (name) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
const text = (selector) => page.locator(selector).innerText();
const visible = (selector) => page.locator(selector).isVisible();
const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
const focused = () => page.evaluate(() => document.activeElement && document.activeElement.id);

let failure = null;
try {
  console.log(`admin page tests against ${PAGE}`);

  await step('without a token the page asks for one', async () => {
    await page.goto(PAGE);
    await page.locator('#token-box').waitFor();
    assert.equal(await text('h1'), 'Azure DevOps Integration');
    assert.ok((await text('.lead')).includes('Connect your workspace to sync P2A action items with Azure DevOps work items.'));
    assert.equal(await visible('#card'), false);
    await shot('01-token-needed');
  });

  await step('an expired token pasted in the box gets a clear 401 message', async () => {
    await page.fill('#token-input', expiredToken);
    await page.press('#token-input', 'Enter');
    await page.locator('#notice').filter({ hasText: '401' }).waitFor();
    assert.ok((await text('#notice')).includes('expired'));
    assert.equal(await visible('#token-box'), true, 'the box is offered again');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('navsync.token')), null);
  });

  await step('a user who is not a company admin is told so (403)', async () => {
    await page.goto(`${PAGE}#token=${memberToken}`);
    await page.locator('#notice').filter({ hasText: '403' }).waitFor();
    assert.ok((await text('#notice')).includes('Only a company admin'));
    assert.equal(await visible('#add-integration'), false);
    await shot('02-not-an-admin');
  });

  await step('an admin from Navigator (#token=) sees the empty page; the token leaves the URL', async () => {
    await page.goto(`${PAGE}#token=${adminToken}`);
    await page.locator('#add-integration').waitFor();
    assert.equal(new URL(page.url()).hash, '', 'the token is no longer in the address bar');
    assert.equal(await visible('#notice'), false);
    assert.equal(await visible('#empty'), true);
    await shot('03-no-integration');
  });

  await step('the Add Integration modal keeps focus inside and closes with Esc', async () => {
    await page.click('#add-integration');
    await page.locator('#modal').waitFor();
    assert.equal(await focused(), 'org-input');
    assert.ok((await text('#modal-desc')).includes('dev.azure.com/your-organization'));
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'modal-save', 'Shift+Tab from the first field wraps to Save');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'org-input', 'Tab from Save wraps to the first field');
    await page.keyboard.press('Escape');
    assert.equal(await visible('#modal'), false);
    assert.equal(await focused(), 'add-integration', 'focus returns to the button that opened it');
    await page.keyboard.press('Enter');
    await page.locator('#modal').waitFor();
    assert.equal(await focused(), 'org-input', 'the keyboard alone opens it again');
  });

  await step('Show / Hide shows the PAT being typed', async () => {
    await page.fill('#pat-input', 'typed-secret');
    assert.equal(await page.getAttribute('#pat-input', 'type'), 'password');
    await page.click('#pat-visibility');
    assert.equal(await page.getAttribute('#pat-input', 'type'), 'text');
    assert.equal(await page.getAttribute('#pat-visibility', 'aria-label'), 'Hide Personal Access Token');
    assert.equal(await text('#pat-visibility'), 'Hide');
    await page.click('#pat-visibility');
    assert.equal(await page.getAttribute('#pat-input', 'type'), 'password');
  });

  await step('an organization ADO does not know is reported beside its field', async () => {
    await page.fill('#org-input', 'no-such-organization-here');
    await page.fill('#pat-input', GOOD_PAT);
    await page.click('#modal-save');
    await page.locator('#org-error').waitFor();
    assert.ok((await text('#org-error')).includes('no organization of this name'));
    assert.equal(await page.getAttribute('#org-input', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#org-input', 'aria-describedby')).split(' ').includes('org-error'));
    assert.equal(await visible('#pat-error'), false);
    assert.equal(await focused(), 'org-input');
    await shot('04-organization-not-found');
    assert.equal((await api('GET', '/v1/integrations')).body.items.length, 0, 'nothing stored');
  });

  await step('a PAT ADO rejects is reported beside the PAT field', async () => {
    await page.fill('#org-input', ORGANIZATION);
    await page.fill('#pat-input', 'not-a-real-token-0123456789');
    await page.click('#modal-save');
    await page.locator('#pat-error').waitFor();
    assert.ok((await text('#pat-error')).includes('rejected this Personal Access Token'));
    assert.equal(await page.getAttribute('#pat-input', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#pat-input', 'aria-describedby')).split(' ').includes('pat-error'));
    assert.equal(await visible('#org-error'), false, 'the organization error is gone');
    assert.equal(await page.getAttribute('#org-input', 'aria-invalid'), null);
    await shot('05-pat-rejected');
  });

  await step('a PAT without the needed scope says which scopes', async () => {
    await page.fill('#pat-input', SCOPELESS_PAT);
    await page.click('#modal-save');
    await page.locator('#pat-error').filter({ hasText: 'missing a scope' }).waitFor();
    assert.ok((await text('#pat-error')).includes('Project and Team: Read'));
  });

  await step('ADO being down is said above the buttons, and nothing is saved', async () => {
    const fault = await fetch(`${EMULATOR_URL}/_emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ path_contains: '/_apis/', status: 503, count: 10 }),
    });
    assert.ok(fault.ok, `fault refused: ${fault.status}`);
    try {
      await page.fill('#pat-input', GOOD_PAT);
      await page.click('#modal-save');
      await page.locator('#form-error').filter({ hasText: 'could not be reached' }).waitFor();
      assert.equal(await visible('#org-error'), false);
      assert.equal(await visible('#pat-error'), false);
      assert.equal(await page.getAttribute('#pat-input', 'aria-invalid'), null);
      assert.equal(await focused(), 'modal-save', 'the focus stays in the modal');
      await shot('05b-ado-unavailable');
      assert.equal((await api('GET', '/v1/integrations')).body.items.length, 0, 'nothing stored');
    } finally {
      await fetch(`${EMULATOR_URL}/_emulator/faults`, { method: 'DELETE' });
    }
  });

  let integration;
  await step('a valid organization and PAT show the integration card', async () => {
    await page.fill('#pat-input', GOOD_PAT);
    await page.click('#modal-save');
    await page.locator('#card').waitFor();
    assert.equal(await visible('#modal'), false);
    integration = await theIntegration();
    assert.equal(integration.organization, ORGANIZATION);
    assert.equal(await text('#card-title'), "Acme's Integration");
    assert.equal(await text('#status-badge'), 'Enabled');
    assert.equal(await page.isChecked('#enabled-toggle'), true);
    assert.equal(await text('#org-value'), ORGANIZATION);
    assert.equal(await text('#pat-value'), integration.pat_hint);
    assert.equal(await text('#webhook-url-value'), integration.webhook_url);
    assert.equal(await text('#secret-value'), integration.webhook_secret_hint);
    assert.equal(await visible('#attention'), false);
    assert.equal(await visible('#add-integration'), false);
    assert.equal(await focused(), 'card-title', 'focus moves to the new card');
    const html = await page.content();
    assert.ok(!html.includes(GOOD_PAT), 'the PAT is not in the page until revealed');
    await page.locator('#activity li').first().waitFor();
    await page.locator('#project-select:not([disabled])').waitFor();
    await shot('06-integration');
  });

  await step('reveal shows the PAT through the audited endpoint, and hides it again', async () => {
    await page.click('#pat-reveal');
    await page.locator('#pat-value').filter({ hasText: GOOD_PAT }).waitFor();
    assert.equal(await page.getAttribute('#pat-reveal', 'aria-label'), 'Hide Personal Access Token');
    const audit = await api('GET', `/v1/integrations/${integration.id}/audit`);
    assert.ok(audit.body.items.some((i) => i.action === 'revealed' && i.detail.field === 'pat'), 'audited');
    await page.click('#secret-reveal');
    await page.locator('#secret-value').filter({ hasNotText: '****' }).waitFor();
    await shot('07-revealed');
    await page.click('#pat-reveal');
    assert.equal(await text('#pat-value'), integration.pat_hint);
    await page.click('#secret-reveal');
    assert.equal(await text('#secret-value'), integration.webhook_secret_hint);
  });

  await step('copy puts the organization, Webhook URL, PAT and secret on the clipboard', async () => {
    await page.click('[data-copy="webhook_url"]');
    await page.locator('#toast').filter({ hasText: 'Webhook URL copied' }).waitFor();
    assert.equal(await clipboard(), integration.webhook_url);
    await page.click('[data-copy="organization"]');
    await page.locator('#toast').filter({ hasText: 'Organization copied' }).waitFor();
    assert.equal(await clipboard(), ORGANIZATION);
    await page.click('[data-copy="pat"]');
    await page.locator('#toast').filter({ hasText: 'Personal Access Token copied' }).waitFor();
    assert.equal(await clipboard(), GOOD_PAT);
    assert.equal(await text('#pat-value'), integration.pat_hint, 'copying does not show it');
    await page.click('[data-copy="webhook_secret"]');
    await page.locator('#toast').filter({ hasText: 'Webhook Client Secret copied' }).waitFor();
    const secret = (await api('POST', `/v1/integrations/${integration.id}/reveal`, { field: 'webhook_secret' })).body.value;
    assert.equal(await clipboard(), secret);
  });

  await step('rotate issues a new Webhook Client Secret and shows it', async () => {
    const before = (await api('POST', `/v1/integrations/${integration.id}/reveal`, { field: 'webhook_secret' })).body.value;
    page.once('dialog', (dialog) => dialog.accept());
    await page.click('#secret-rotate');
    await page.locator('#toast').filter({ hasText: 'New secret issued' }).waitFor();
    const after = (await api('POST', `/v1/integrations/${integration.id}/reveal`, { field: 'webhook_secret' })).body.value;
    assert.notEqual(after, before);
    assert.equal(await text('#secret-value'), after);
    await page.click('#secret-reveal');
    integration = await theIntegration();
    assert.equal(await text('#secret-value'), integration.webhook_secret_hint);
  });

  await step('the project and work item type pickers list ADO\'s and save the choice', async () => {
    const projects = await page.locator('#project-select option').allInnerTexts();
    assert.ok(projects.includes('Alpha') && projects.includes('Beta'), projects.join(', '));
    await page.selectOption('#project-select', 'Beta');
    await page.locator('#type-select option', { hasText: 'Bug' }).waitFor({ state: 'attached' });
    await page.locator('#type-select:not([disabled])').waitFor();
    await page.selectOption('#type-select', 'Bug');
    await page.click('#target-save');
    await page.locator('#target-status').filter({ hasText: 'Saved.' }).waitFor();
    integration = await theIntegration();
    assert.equal(integration.project, 'Beta');
    assert.equal(integration.work_item_type, 'Bug');
  });

  await step('the toggle disables sync (the API agrees) and enables it again', async () => {
    await page.click('.switch');
    await page.locator('#status-badge').filter({ hasText: 'Disabled' }).waitFor();
    integration = await theIntegration();
    assert.equal(integration.enabled, false);
    assert.equal(integration.status, 'disabled');
    assert.equal(await page.isChecked('#enabled-toggle'), false);
    await shot('08-disabled');
    await page.focus('#enabled-toggle');
    await page.keyboard.press('Space');
    await page.locator('#status-badge').filter({ hasText: 'Enabled' }).waitFor();
    assert.equal((await theIntegration()).enabled, true, 'the keyboard turns it back on');
    assert.equal(await focused(), 'enabled-toggle', 'the focus stays on the switch');
  });

  await step('a needs-attention report shows the banner with the reason and the fix', async () => {
    const res = await fetch(`${BASE_URL}/internal/v1/integrations/${integration.id}/needs-attention`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SERVICE_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'pat_rejected', service: 'ado_sync' }),
    });
    assert.equal(res.status, 200);
    await page.reload();
    await page.locator('#attention').waitFor();
    assert.ok((await text('#attention-reason')).includes('expired or been revoked'));
    assert.ok((await text('#attention-fix')).includes('create a new PAT'));
    await page.locator('#activity li', { hasText: 'needing attention' }).first().waitFor();
    await shot('09-needs-attention');
  });

  await step('saving a valid PAT from the banner clears it', async () => {
    await page.click('#attention-action');
    await page.locator('#modal').waitFor();
    assert.equal(await text('#modal-title'), 'Edit Integration');
    assert.equal(await focused(), 'pat-input');
    await page.fill('#pat-input', GOOD_PAT);
    await page.click('#modal-save');
    await page.locator('#attention').waitFor({ state: 'hidden' });
    integration = await theIntegration();
    assert.equal(integration.status, 'active');
    assert.equal(integration.status_reason, null);
  });

  await step('no script error and no Content-Security-Policy violation happened', async () => {
    assert.deepEqual(problems, []);
  });
} catch (err) {
  failure = err;
  await shot('failure').catch(() => {});
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

if (failure) {
  console.error(`\nFAILED: ${failure.step || 'setup'}\n${failure.stack || failure}`);
  process.exit(1);
}
console.log(`\n${passed} steps passed; screenshots in ${SCREENSHOTS}`);
