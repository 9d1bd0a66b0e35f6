// The admin page in a real browser: Debian's Chromium driven by playwright-core.
// scripts/ui-test.sh starts the ADO emulator and integrations (fresh database, free ports)
// and runs this with:
//   BASE_URL        integrations, e.g. http://127.0.0.1:41234
//   EMULATOR_URL    the ADO emulator integrations talks to (for its fault injection)
//   JWT_SECRET      the HS256 key integrations verifies user tokens with
//   SERVICE_TOKEN   integrations' internal API credential
//   GOOD_PAT, SCOPELESS_PAT, NOHOOKS_PAT, ORGANIZATION   what the emulator was seeded with
//                  (NOHOOKS_PAT: work items and projects, but no Service Hooks scope)
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
const NOHOOKS_PAT = env('NOHOOKS_PAT');
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
/** The emulator's control API: what ADO holds, and changing it behind navsync's back. */
async function emulator(method, path, body) {
  const res = await fetch(`${EMULATOR_URL}/_emulator${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `emulator ${method} ${path}: ${res.status}`);
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}
const subscriptions = async () => (await emulator('GET', `/organizations/${ORGANIZATION}/subscriptions`)).value;
async function adoSetsStatus(eventType, status) {
  const sub = (await subscriptions()).find((s) => s.eventType === eventType && s.status === 'enabled');
  assert.ok(sub, `an enabled ${eventType} subscription`);
  await emulator('POST', `/organizations/${ORGANIZATION}/subscriptions/${sub.id}/status`, { status });
}
/** `YYYY-MM-DD`, `days` from now in UTC (the API reads a date as the end of that UTC day). */
const daysAhead = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
const hookEvent = (type) => page.locator('#hooks-events li', { hasText: `(${type})` }).innerText();

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
// The toast fades by itself and would cover what the state is about: left out of pictures
// (through the page's own class, since an injected style would break its CSP).
const noToast = () => page.evaluate(() => document.getElementById('toast').classList.remove('visible'));
const shot = async (name) => {
  await noToast();
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
};
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
    assert.equal(await page.getAttribute('#pat-input', 'aria-invalid'), 'true');
    await shot('05a-pat-missing-scope');
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
    assert.equal(await page.locator('label[for="expiry-input"]').innerText(), 'PAT expires on (optional)');
    assert.equal(await page.getAttribute('#expiry-input', 'type'), 'date');
    assert.ok((await page.getAttribute('#expiry-input', 'aria-describedby')).split(' ').includes('expiry-help'));
    await page.fill('#pat-input', GOOD_PAT);
    await page.fill('#expiry-input', daysAhead(40));
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
    assert.equal(integration.pat_expires_at, `${daysAhead(40)}T23:59:59Z`, 'the date of the Add modal is stored');
    assert.ok((await text('#pat-expiry-value')).includes('(in 40 days)'), await text('#pat-expiry-value'));
    assert.equal(await visible('#expiry-banner'), false, 'no warning 40 days ahead');
    const html = await page.content();
    assert.ok(!html.includes(GOOD_PAT), 'the PAT is not in the page until revealed');
    await page.locator('#activity li').first().waitFor();
    await page.locator('#project-select:not([disabled])').waitFor();
    await shot('06-integration');
  });

  await step('the card checks the service hooks by itself: none found, the three events missing', async () => {
    await page.locator('#hooks-summary').filter({ hasText: 'None found.' }).waitFor();
    assert.ok((await text('#hooks-summary')).includes('only through the periodic check'));
    for (const type of ['workitem.updated', 'workitem.deleted', 'workitem.restored']) {
      assert.ok((await hookEvent(type)).includes('no subscription — missing'), await hookEvent(type));
    }
    assert.equal(await visible('#hooks-create'), true);
    assert.equal(await page.getAttribute('#hooks-status', 'role'), 'status', 'a live region announces the answer');
    assert.equal((await theIntegration()).hook_status, 'none_found', 'the check went through the API');
    await shot('06a-hooks-none-found');
  });

  await step('the service hook steps name the Webhook URL, Basic authentication and the three events', async () => {
    const steps = await page.locator('section', { has: page.locator('#hook-title') }).innerText();
    for (const words of ['Web Hooks', 'URL', 'Webhook URL', 'Basic authentication', 'username', 'password',
      'Webhook Client Secret', 'Work item updated', 'workitem.updated', 'Work item deleted', 'workitem.deleted',
      'Work item restored', 'workitem.restored']) {
      assert.ok(steps.includes(words), `the steps mention ${words}`);
    }
  });

  await step('"Create the service hooks for me" creates the three, and they show enabled', async () => {
    await page.click('#hooks-create');
    await page.locator('#hooks-outcome').filter({ hasText: 'Created 3 service hooks' }).waitFor();
    await page.locator('#activity li', { hasText: 'Service hooks created in Azure DevOps: Work item updated' }).first().waitFor();
    assert.ok((await text('#hooks-outcome')).includes('Work item updated, Work item deleted, Work item restored'));
    assert.ok((await text('#hooks-summary')).startsWith('✓ Enabled.') || (await text('#hooks-summary')).startsWith('Enabled.'), await text('#hooks-summary'));
    for (const type of ['workitem.updated', 'workitem.deleted', 'workitem.restored']) {
      assert.ok((await hookEvent(type)).endsWith(': enabled'), await hookEvent(type));
    }
    assert.equal(await visible('#hooks-create'), false, 'nothing left to create');
    assert.equal(await focused(), 'hooks-check', 'the focus stays in the section');
    const subs = await subscriptions();
    assert.equal(subs.length, 3);
    assert.ok(subs.every((s) => s.consumerInputs.url === integration.webhook_url && s.status === 'enabled'));
    await shot('06b-hooks-created');
  });

  await step('after ADO disables one (disabledBySystem), Check again shows it and offers to re-create it', async () => {
    await adoSetsStatus('workitem.updated', 'disabledBySystem');
    assert.ok((await text('#hooks-summary')).includes('Enabled'), 'the page shows the last answer until asked');
    await page.click('#hooks-check');
    await page.locator('#hooks-summary').filter({ hasText: 'Disabled by Azure DevOps.' }).waitFor();
    assert.ok((await hookEvent('workitem.updated')).includes('disabled by Azure DevOps — missing'), await hookEvent('workitem.updated'));
    assert.ok((await hookEvent('workitem.deleted')).endsWith(': enabled'));
    assert.equal(await visible('#hooks-create'), true);
    assert.equal((await theIntegration()).hook_status, 'disabledBySystem');
    await shot('06c-hook-disabled-by-ado');
    await page.click('#hooks-create');
    await page.locator('#hooks-outcome').filter({ hasText: 'Created 1 service hook: Work item updated.' }).waitFor();
    assert.ok((await text('#hooks-summary')).includes('Enabled.'), 'every event has an enabled subscription again');
    assert.ok((await text('#hooks-summary')).includes('Another subscription to the Webhook URL is disabled by Azure DevOps'),
      'the disabled leftover is mentioned');
    assert.ok((await hookEvent('workitem.updated')).endsWith(': enabled'));
  });

  await step('a PAT without the Service Hooks scope: "Create" says to create them by hand, and the status is unknown', async () => {
    await adoSetsStatus('workitem.deleted', 'disabledByUser');
    await page.click('#hooks-check');
    await page.locator('#hooks-summary').filter({ hasText: 'Disabled by a user.' }).waitFor();
    // Meanwhile another admin saves a PAT that may not manage service hooks.
    const { status } = await api('PATCH', `/v1/integrations/${integration.id}`, { pat: NOHOOKS_PAT });
    assert.equal(status, 200);
    await page.click('#hooks-create');
    await page.locator('#hooks-outcome').filter({ hasText: 'Not created' }).waitFor();
    const outcome = await text('#hooks-outcome');
    assert.ok(outcome.includes('the PAT lacks the Service Hooks scope'), outcome);
    assert.ok(outcome.includes('Create them by hand with the steps below'), outcome);
    assert.equal(await visible('#notice'), false, 'a 403 about the PAT is not "only a company admin"');
    assert.equal(await visible('#card'), true);
    await shot('06d-hooks-create-not-permitted');
    await page.click('#hooks-outcome a');
    assert.equal(await focused(), 'hook-title', 'the link leads to the steps');
    await page.click('#hooks-check');
    await page.locator('#hooks-summary').filter({ hasText: 'Unknown: the PAT lacks the Service Hooks scope.' }).waitFor();
    assert.equal(await visible('#hooks-create'), false, 'nothing to offer that cannot work');
    assert.equal(await page.locator('#hooks-events li').count(), 0);
    assert.equal((await theIntegration()).status, 'active', 'a PAT without the hooks scope is not a rejected PAT');
    await shot('06e-hooks-not-permitted');
  });

  await step('saving the full PAT again with Edit checks the hooks again', async () => {
    await page.click('#edit-integration');
    await page.locator('#modal').waitFor();
    await page.fill('#pat-input', GOOD_PAT);
    await page.click('#modal-save');
    await page.locator('#modal').waitFor({ state: 'hidden' });
    await page.locator('#hooks-summary').filter({ hasText: 'Disabled by a user.' }).waitFor();
    await page.click('#hooks-create');
    await page.locator('#hooks-outcome').filter({ hasText: 'Created 1 service hook: Work item deleted.' }).waitFor();
    integration = await theIntegration();
    assert.equal(integration.pat_expires_at, null, 'a new PAT forgets the old date');
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

  await step('an expiry date in the past is refused beside its field', async () => {
    await page.click('#edit-integration');
    await page.locator('#modal').waitFor();
    await page.fill('#expiry-input', '2020-01-31');
    await page.click('#modal-save');
    await page.locator('#expiry-error').waitFor();
    assert.ok((await text('#expiry-error')).includes('This date has passed'));
    assert.equal(await page.getAttribute('#expiry-input', 'aria-invalid'), 'true');
    assert.ok((await page.getAttribute('#expiry-input', 'aria-describedby')).split(' ').includes('expiry-error'));
    assert.equal(await focused(), 'expiry-input');
    assert.equal((await theIntegration()).pat_expires_at, null, 'nothing saved');
  });

  await step('an expiry date 5 days ahead shows the 7-day warning on the card', async () => {
    const date = daysAhead(5);
    await page.fill('#expiry-input', date);
    await page.click('#modal-save');
    await page.locator('#expiry-banner').waitFor();
    assert.equal(await text('#expiry-title'), 'The Personal Access Token expires within 7 days');
    assert.ok((await text('#expiry-text')).includes('in 5 days'), await text('#expiry-text'));
    assert.ok((await text('#expiry-text')).includes('save it with Edit'));
    assert.equal(await page.getAttribute('#expiry-live', 'role'), 'status', 'announced, not only coloured');
    assert.ok((await text('#pat-expiry-value')).includes('(in 5 days)'));
    integration = await theIntegration();
    assert.equal(integration.pat_expires_at, `${date}T23:59:59Z`);
    assert.equal(integration.pat_expiry_warning.threshold_days, 7);
    await shot('10-pat-expires-soon');
    await page.locator('#activity li', { hasText: 'PAT expiry date set to' }).first().waitFor();
    // The README's picture (docs/img/azure-devops-settings.png) is this one.
    await noToast();
    await page.locator('#card').screenshot({ path: join(SCREENSHOTS, 'card.png'), animations: 'disabled' });
  });

  await step('in Edit, typing a new PAT clears the old date, and erasing it brings the date back', async () => {
    await page.click('#expiry-action');
    await page.locator('#modal').waitFor();
    assert.equal(await focused(), 'pat-input', 'the banner\'s button opens Edit on the PAT');
    assert.equal(await page.inputValue('#expiry-input'), daysAhead(5));
    await page.fill('#pat-input', 'a-new-token');
    assert.equal(await page.inputValue('#expiry-input'), '');
    await page.fill('#pat-input', '');
    assert.equal(await page.inputValue('#expiry-input'), daysAhead(5));
    await page.keyboard.press('Escape');
    assert.equal((await theIntegration()).pat_expires_at, integration.pat_expires_at, 'nothing saved');
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
