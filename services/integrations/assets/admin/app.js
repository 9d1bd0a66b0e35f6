// Settings → Azure DevOps Integration: the company admin's page over the integrations
// API (SPEC §5). Plain JS, no build step, served as its own file so that the page's
// Content-Security-Policy allows no inline script. The page holds no secret of its own:
// it acts with the Navigator token the admin brings, and the API decides what is allowed.
'use strict';

(function () {
  const TOKEN_KEY = 'navsync.token';
  const API = '/v1/integrations';

  /** Words for the API's error codes, and the field each belongs beside. */
  const ERRORS = {
    invalid_organization: ['org', 'This is not a valid organization name: use letters, digits and hyphens, as in dev.azure.com/your-organization.'],
    organization_not_found: ['org', 'Azure DevOps has no organization of this name. Check the part after dev.azure.com/ in your Azure DevOps URL.'],
    invalid_pat: ['pat', 'This does not look like a Personal Access Token: paste the whole token, without spaces.'],
    pat_rejected: ['pat', 'Azure DevOps rejected this Personal Access Token: it may be mistyped, expired or revoked.'],
    pat_insufficient_scope: ['pat', 'This Personal Access Token works but is missing a scope: it needs "Project and Team: Read" and "Work Items: Read & write".'],
    ado_unavailable: ['form', 'Azure DevOps could not be reached, so nothing was saved. Try again in a minute.'],
    integration_exists: ['form', 'Your company already has an Azure DevOps integration. Reload the page to edit it.'],
    invalid_pat_expires_at: ['expiry', 'Enter the day the PAT expires, today or later, as Azure DevOps showed it when the token was created.'],
  };

  /** The three work item events the service hooks subscribe to, in words. */
  const HOOK_EVENTS = [
    ['workitem.updated', 'Work item updated'],
    ['workitem.deleted', 'Work item deleted'],
    ['workitem.restored', 'Work item restored'],
  ];

  /** A subscription status (ADO's, or the API's none_found / unknown) in words. */
  const HOOK_STATUS = {
    enabled: 'enabled',
    onProbation: 'on probation',
    disabledBySystem: 'disabled by Azure DevOps',
    disabledByInactiveIdentity: 'disabled because its creator left',
    disabledByUser: 'disabled by a user',
    none_found: 'none found',
  };

  /** Subscription statuses from harmless to worst (as the API ranks them). */
  const HOOK_SEVERITY = ['enabled', 'onProbation', 'disabledByUser', 'disabledByInactiveIdentity', 'disabledBySystem'];

  /** The summary of the hook health: a headline, and what it means or how to fix it. */
  const HOOK_SUMMARY = {
    enabled: ['Enabled', 'Azure DevOps calls navsync when work items change.'],
    onProbation: ['On probation', 'Azure DevOps failed to deliver some calls and now retries less often; it disables the subscription if the failures go on. Check that the Webhook URL is reachable from Azure DevOps.'],
    disabledBySystem: ['Disabled by Azure DevOps', 'Azure DevOps gave up after repeated delivery failures. Enable the subscription again in Azure DevOps (Project settings, Service hooks), or let navsync create it again.'],
    disabledByInactiveIdentity: ['Disabled because its creator left', 'The person who created the subscription left the organization or lost access. Create it again, ideally with the service account.'],
    disabledByUser: ['Disabled by a user', 'Someone turned the subscription off in Azure DevOps. Enable it again there (Project settings, Service hooks), or let navsync create a new one.'],
    incomplete: ['Incomplete', 'Some work item events have no subscription calling the Webhook URL, so those changes reach Navigator only through the periodic check.'],
    none_found: ['None found', 'No service hook calls this integration\'s Webhook URL, so changes made in Azure DevOps reach Navigator only through the periodic check, minutes later.'],
    not_permitted: ['Unknown: the PAT lacks the Service Hooks scope', 'navsync cannot read the subscriptions with this token. Check them in Azure DevOps by hand, or save a PAT that also has "Service Hooks: Read & write".'],
    ado_unavailable: ['Unknown: Azure DevOps unavailable', 'Azure DevOps could not be reached to read the subscriptions. Check again in a minute.'],
  };

  /** What a needs-attention reason means, and how to fix it. */
  const ATTENTION = {
    no_webhooks: [
      'navsync changed work items in Azure DevOps, but no service hook call followed for hours: the Web Hooks subscriptions are missing, disabled or failing. Sync continues, and changes made in ADO are picked up by the periodic check, only later.',
      'To fix it, check the three service hooks in Azure DevOps (Project settings, Service hooks) and re-enable or re-create them with the Webhook URL and Client Secret below. The warning clears with the next call.',
    ],
    pat_rejected: [
      'Azure DevOps rejected the stored Personal Access Token: it has probably expired or been revoked. Sync is paused; no change is lost while it waits.',
      'To fix it, create a new PAT for the service account (scopes "Project and Team: Read" and "Work Items: Read & write") and save it with Edit. Sync resumes at once.',
    ],
  };

  const AUDIT_WORDS = {
    created: 'Integration added',
    validated: 'Organization and PAT validated with Azure DevOps',
    revealed: 'Secret revealed',
    rotated: 'Webhook Client Secret rotated',
    enabled: 'Sync enabled',
    disabled: 'Sync disabled',
    pat_replaced: 'Personal Access Token replaced',
    needs_attention: 'Marked as needing attention',
    pat_expiring: 'Personal Access Token expires soon',
    organization_changed: 'Organization changed',
    settings_changed: 'Settings changed',
    deleted: 'Integration deleted',
  };

  const $ = (id) => document.getElementById(id);
  const state = {
    token: null,
    integration: null,
    revealed: { pat: null, webhook_secret: null },
    modalMode: 'add',
    lastFocus: null,
    // The last hook-health answer for the integration shown, and when it came.
    hooks: null,
    hooksAt: null,
    hooksError: null,
    hooksChecking: false,
    // The expiry date the Edit modal opened with (`YYYY-MM-DD`, or '').
    modalExpiry: '',
  };

  // ---------- the token ----------

  function readToken() {
    const hash = new URLSearchParams(window.location.hash.replace(/^#/, ''));
    const fromHash = hash.get('token');
    if (fromHash) {
      sessionStorage.setItem(TOKEN_KEY, fromHash.trim());
      // Out of the address bar and the history at once.
      history.replaceState(null, '', window.location.pathname + window.location.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** The token's claims, unverified: only for words on the page, never for a decision. */
  function claims() {
    try {
      const part = (state.token || '').split('.')[1] || '';
      const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch (_) {
      return {};
    }
  }

  function showTokenBox(message) {
    $('loading').hidden = true;
    $('card').hidden = true;
    $('empty').hidden = true;
    $('add-integration').hidden = true;
    $('token-box').hidden = false;
    if (message) notice(message);
  }

  function forbidden() {
    $('loading').hidden = true;
    $('token-box').hidden = true;
    $('card').hidden = true;
    $('empty').hidden = true;
    $('add-integration').hidden = true;
    notice('Only a company admin can manage the Azure DevOps integration (403). Ask an admin of your company for access.');
  }

  // ---------- the API ----------

  class ApiFailure extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json', Authorization: 'Bearer ' + state.token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (_) {
      throw new ApiFailure(0, 'network', 'The Navigator server could not be reached. Check your connection and try again.');
    }
    let data = null;
    const text = await res.text();
    if (text) {
      try { data = JSON.parse(text); } catch (_) { data = null; }
    }
    if (res.ok) return data;
    const err = (data && data.error) || {};
    if (res.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
      showTokenBox('Your Navigator session is missing or has expired (401). Open this page from Navigator again, or paste a fresh token.');
    } else if (res.status === 403 && (!err.code || err.code === 'forbidden')) {
      // Other 403 codes (hooks_not_permitted) are about ADO's PAT, not the Navigator user.
      forbidden();
    }
    throw new ApiFailure(res.status, err.code || 'http_' + res.status, err.message || 'The request failed (' + res.status + ').');
  }

  // ---------- small helpers ----------

  function notice(message) {
    const box = $('notice');
    box.textContent = message || '';
    box.hidden = !message;
  }

  let toastTimer = null;
  function toast(message) {
    const box = $('toast');
    box.textContent = message;
    box.classList.add('visible');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => box.classList.remove('visible'), 3000);
  }

  function when(iso) {
    if (!iso) return 'never';
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleString();
  }

  /** A day as words, for a `pat_expires_at`: the date the admin gave is a UTC day. */
  function day(iso) {
    const d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleDateString(undefined, { timeZone: 'UTC', year: 'numeric', month: 'long', day: 'numeric' });
  }

  /** `YYYY-MM-DD` of an instant, in UTC (what the date field holds for `pat_expires_at`). */
  function utcDay(iso) {
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toISOString().slice(0, 10);
  }

  /** Today as `YYYY-MM-DD` in the browser's time zone. */
  function localToday() {
    const d = new Date();
    return [d.getFullYear(), String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')].join('-');
  }

  function inDays(n) {
    if (n <= 0) return 'in less than a day';
    return 'in ' + n + (n === 1 ? ' day' : ' days');
  }

  async function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      try {
        await navigator.clipboard.writeText(text);
        return true;
      } catch (_) { /* falls back below */ }
    }
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.className = 'offscreen';
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
    area.remove();
    return ok;
  }

  function companyName() {
    const c = claims();
    if (typeof c.company_name === 'string' && c.company_name.trim()) return c.company_name.trim();
    const id = (state.integration && state.integration.company_id) || c.company_id || '';
    return id ? 'Company ' + String(id).slice(0, 8) : 'Your company';
  }

  // ---------- rendering ----------

  function render() {
    const it = state.integration;
    $('loading').hidden = true;
    $('token-box').hidden = true;
    $('add-integration').hidden = !!it;
    $('empty').hidden = !!it;
    $('card').hidden = !it;
    if (!it) return;

    $('card-title').textContent = companyName() + "'s Integration";
    const badge = $('status-badge');
    badge.textContent = it.enabled ? 'Enabled' : 'Disabled';
    badge.className = 'badge ' + (it.enabled ? 'on' : 'off');
    $('enabled-toggle').checked = !!it.enabled;

    $('org-value').textContent = it.organization;
    $('webhook-url-value').textContent = it.webhook_url;
    $('validated-value').textContent = when(it.last_validated_at);
    renderExpiry(it);
    renderHooks();
    renderSecret('pat', 'pat-value', 'pat-reveal', it.pat_hint);
    renderSecret('webhook_secret', 'secret-value', 'secret-reveal', it.webhook_secret_hint);

    const reason = it.status_reason;
    $('attention').hidden = !reason;
    if (reason) {
      const words = ATTENTION[reason] || [
        'The sync worker reported a problem: ' + reason.replace(/_/g, ' ') + '. Sync of new changes is paused.',
        'To fix it, check the organization and save a valid Personal Access Token with Edit.',
      ];
      $('attention-reason').textContent = words[0];
      $('attention-fix').textContent = words[1] + (it.enabled ? '' : ' Sync is also disabled: turn it on once the PAT is replaced.');
    }
  }

  // ---------- the PAT's expiry ----------

  function renderExpiry(it) {
    const warning = it.pat_expiry_warning;
    const left = warning ? warning.days_left
      : (it.pat_expires_at ? Math.floor((new Date(it.pat_expires_at) - Date.now()) / 86400000) : null);
    if (!it.pat_expires_at) {
      $('pat-expiry-value').textContent = 'Not given. Add the date with Edit, and navsync warns 30, 7 and 1 days before.';
    } else if (warning && warning.threshold_days === 0) {
      $('pat-expiry-value').textContent = day(it.pat_expires_at) + ' (expired)';
    } else {
      $('pat-expiry-value').textContent = day(it.pat_expires_at) + ' (' + inDays(left) + ')';
    }

    const banner = $('expiry-banner');
    banner.hidden = !warning;
    if (!warning) return;
    const expired = warning.threshold_days === 0;
    banner.classList.toggle('error', expired);
    banner.classList.toggle('warning', !expired);
    $('expiry-title').textContent = expired ? 'The Personal Access Token has expired'
      : warning.threshold_days === 1 ? 'The Personal Access Token expires within a day'
        : 'The Personal Access Token expires within ' + warning.threshold_days + ' days';
    $('expiry-text').textContent = expired
      ? 'It expired on ' + day(it.pat_expires_at) + '. Sync stops until a new PAT is saved: create one for the service account in Azure DevOps and save it with Edit.'
      : 'It expires on ' + day(it.pat_expires_at) + ', ' + inDays(warning.days_left) + '. Create a new PAT for the service account in Azure DevOps and save it with Edit before then, or sync stops.';
  }

  // ---------- the service hooks' health ----------

  /** "the steps below" as a link to the manual steps. */
  function stepsLink() {
    const a = document.createElement('a');
    a.href = '#hook-title';
    a.textContent = 'the steps below';
    a.addEventListener('click', (e) => {
      e.preventDefault();
      $('hook-title').focus();
      $('hook-title').scrollIntoView({ block: 'start' });
    });
    return a;
  }

  function renderHooks() {
    const it = state.integration;
    const health = state.hooks;
    const summary = $('hooks-summary');
    const events = $('hooks-events');
    const checked = $('hooks-checked');
    $('hooks-status').setAttribute('aria-busy', state.hooksChecking ? 'true' : 'false');
    events.replaceChildren();
    summary.className = 'hooks-summary';
    if (!health) {
      summary.textContent = state.hooksChecking ? 'Checking the service hooks with Azure DevOps…'
        : (state.hooksError ? 'The service hooks could not be checked: ' + state.hooksError : 'Not checked yet.');
      checked.textContent = it && it.hook_status
        ? 'Last known: ' + (HOOK_STATUS[it.hook_status] || it.hook_status.replace(/_/g, ' ')) + ' (checked ' + when(it.hook_checked_at) + ').'
        : '';
      $('hooks-create').hidden = true;
      return;
    }
    const missing = health.missing_events || [];
    const subs = health.subscriptions || [];
    const ofEvent = (type) => subs.filter((sub) => String(sub.event_type).toLowerCase() === type);
    // The API answers the worst status of all our subscriptions, leftovers included; the
    // headline speaks of what is wrong with the events that lack an enabled one.
    const worst = (list) => list.map((sub) => sub.status)
      .sort((a, b) => HOOK_SEVERITY.indexOf(b) - HOOK_SEVERITY.indexOf(a))[0];
    let key;
    if (health.status === 'unknown') key = health.reason || 'ado_unavailable';
    else if (!missing.length) key = 'enabled';
    else key = worst(missing.flatMap(ofEvent)) || (subs.length ? 'incomplete' : 'none_found');
    const good = key === 'enabled';
    const [headline, meaning] = HOOK_SUMMARY[key] || [key, ''];
    summary.classList.add(good ? 'good' : 'bad');
    const strong = document.createElement('strong');
    strong.textContent = headline + '.';
    let words = meaning;
    const leftovers = subs.filter((sub) => sub.status !== 'enabled');
    if (good && leftovers.length === 1) {
      words += ' Another subscription to the Webhook URL is ' + (HOOK_STATUS[leftovers[0].status] || leftovers[0].status) + '; you may delete it in Azure DevOps.';
    } else if (good && leftovers.length) {
      words += ' ' + leftovers.length + ' other subscriptions to the Webhook URL are disabled or on probation; you may delete them in Azure DevOps.';
    }
    summary.replaceChildren(strong, ' ', words);
    if (key === 'not_permitted') summary.append(' To create them by hand, follow ', stepsLink(), '.');

    if (health.status !== 'unknown') {
      for (const [type, words] of HOOK_EVENTS) {
        const mine = ofEvent(type);
        const li = document.createElement('li');
        const name = document.createElement('span');
        name.textContent = words + ' (' + type + '): ';
        let status;
        if (mine.some((sub) => sub.status === 'enabled')) status = 'enabled';
        else if (mine.length) status = HOOK_STATUS[worst(mine)] || worst(mine);
        else status = 'no subscription';
        const verdict = document.createElement('span');
        verdict.textContent = status;
        const isMissing = missing.includes(type);
        li.className = isMissing ? 'missing' : 'present';
        li.append(name, verdict, isMissing ? ' — missing' : '');
        events.append(li);
      }
    }
    checked.textContent = (state.hooksChecking ? 'Checking again… ' : '') + 'Checked ' + when(state.hooksAt) + '.';
    $('hooks-create').hidden = health.status === 'unknown' || !missing.length;
  }

  let hookCheck = 0;
  /** Asks ADO, through the API, for the hook health; never holds up the rest of the card. */
  async function checkHooks() {
    const it = state.integration;
    if (!it) return;
    const seq = ++hookCheck;
    $('hooks-outcome').textContent = '';
    state.hooksChecking = true;
    state.hooksError = null;
    renderHooks();
    try {
      const health = await api('GET', API + '/' + it.id + '/hook-health');
      if (seq !== hookCheck) return;
      state.hooks = health;
      state.hooksAt = new Date().toISOString();
    } catch (e) {
      if (seq !== hookCheck) return;
      state.hooks = null;
      state.hooksError = e.message;
    }
    state.hooksChecking = false;
    if (state.integration && state.integration.id === it.id) renderHooks();
  }

  let creatingHooks = false;
  async function createHooks() {
    if (creatingHooks) return;
    creatingHooks = true;
    const button = $('hooks-create');
    const outcome = $('hooks-outcome');
    button.setAttribute('aria-busy', 'true');
    button.textContent = 'Creating the service hooks…';
    outcome.className = 'hooks-outcome';
    outcome.textContent = '';
    try {
      const data = await api('POST', API + '/' + state.integration.id + '/hooks');
      hookCheck += 1; // an older check in flight must not overwrite this answer
      state.hooks = data.health;
      state.hooksAt = new Date().toISOString();
      state.hooksChecking = false;
      const created = data.created || [];
      const names = created.map((t) => (HOOK_EVENTS.find(([type]) => type === t) || [t, t])[1]);
      outcome.classList.add('good');
      outcome.textContent = created.length
        ? 'Created ' + created.length + ' service hook' + (created.length === 1 ? '' : 's') + ': ' + names.join(', ') + '.'
        : 'Nothing to create: every event already has a subscription.';
      renderHooks();
      loadActivity();
      // The button is gone once nothing is missing: keep the focus in the section.
      if (button.hidden) $('hooks-check').focus();
    } catch (e) {
      outcome.classList.add('bad');
      if (e.code === 'hooks_not_permitted') {
        outcome.replaceChildren('Not created: the PAT lacks the Service Hooks scope ("Service Hooks: Read & write"). Create them by hand with ',
          stepsLink(), ', or save a PAT that has the scope and try again.');
      } else if (e.code === 'ado_unavailable') {
        outcome.textContent = 'Not created: Azure DevOps could not be reached. Try again in a minute.';
      } else {
        outcome.textContent = 'Not created: ' + e.message;
      }
    } finally {
      creatingHooks = false;
      button.removeAttribute('aria-busy');
      button.textContent = 'Create the service hooks for me';
    }
  }

  // ---------- secrets, activity, pickers ----------

  function renderSecret(field, valueId, buttonId, hint) {
    const value = state.revealed[field];
    $(valueId).textContent = value !== null ? value : hint;
    const button = $(buttonId);
    const verb = value !== null ? 'Hide' : 'Reveal';
    button.textContent = verb;
    button.setAttribute('aria-label', verb + ' ' + (field === 'pat' ? 'Personal Access Token' : 'Webhook Client Secret'));
  }

  async function loadActivity() {
    const list = $('activity');
    try {
      const data = await api('GET', API + '/' + state.integration.id + '/audit');
      list.replaceChildren();
      for (const item of (data.items || []).slice(0, 10)) {
        const li = document.createElement('li');
        const time = document.createElement('time');
        time.dateTime = item.created_at;
        time.textContent = when(item.created_at);
        let words = AUDIT_WORDS[item.action] || item.action;
        const detail = item.detail || {};
        if (item.action === 'needs_attention' && detail.reason) words += ': ' + String(detail.reason).replace(/_/g, ' ');
        if (item.action === 'revealed' && detail.field) words += ': ' + (detail.field === 'pat' ? 'Personal Access Token' : 'Webhook Client Secret');
        if (item.action === 'settings_changed') words = settingsWords(detail);
        li.append(time, ' ', words, ' — ', item.actor);
        list.append(li);
      }
      if (!list.children.length) list.textContent = 'Nothing yet.';
    } catch (e) {
      list.textContent = 'The activity could not be loaded: ' + e.message;
    }
  }

  /** A settings_changed audit row in words: what changed. */
  function settingsWords(detail) {
    if (Array.isArray(detail.service_hooks_created)) {
      const names = detail.service_hooks_created.map((t) => (HOOK_EVENTS.find(([type]) => type === t) || [t, t])[1]);
      return 'Service hooks created in Azure DevOps: ' + names.join(', ');
    }
    if (Object.keys(detail).length === 1 && 'pat_expires_at' in detail) {
      return detail.pat_expires_at ? 'PAT expiry date set to ' + day(detail.pat_expires_at) : 'PAT expiry date removed';
    }
    const names = { project: 'project', work_item_type: 'work item type', state_mapping: 'state mapping', on_action_item_deleted: 'on delete', pat_expires_at: 'PAT expiry date' };
    const changed = Object.keys(detail).map((k) => names[k] || k.replace(/_/g, ' '));
    return AUDIT_WORDS.settings_changed + (changed.length ? ': ' + changed.join(', ') : '');
  }

  function option(value, label, selected) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    o.selected = !!selected;
    return o;
  }

  async function loadProjects() {
    const select = $('project-select');
    const it = state.integration;
    select.replaceChildren(option('', 'Loading projects…', true));
    select.disabled = true;
    try {
      const data = await api('GET', API + '/' + it.id + '/projects');
      select.replaceChildren(option('', 'Choose a project', !it.project));
      for (const p of data.items || []) select.append(option(p.name, p.name, p.name === it.project));
      select.disabled = false;
      await loadTypes(select.value);
    } catch (e) {
      select.replaceChildren(option(it.project || '', it.project || 'Projects unavailable', true));
      $('target-status').textContent = 'Projects could not be read from Azure DevOps: ' + e.message;
      await loadTypes(it.project || '');
    }
  }

  async function loadTypes(project) {
    const select = $('type-select');
    const current = state.integration.work_item_type;
    select.disabled = true;
    if (!project) {
      select.replaceChildren(option(current, current, true));
      return;
    }
    select.replaceChildren(option(current, 'Loading types…', true));
    try {
      const data = await api('GET', API + '/' + state.integration.id + '/work-item-types?project=' + encodeURIComponent(project));
      const names = (data.items || []).map((t) => t.name);
      if (!names.includes(current)) names.unshift(current);
      select.replaceChildren(...names.map((n) => option(n, n, n === current)));
      select.disabled = false;
    } catch (e) {
      select.replaceChildren(option(current, current, true));
      $('target-status').textContent = 'Work item types could not be read from Azure DevOps: ' + e.message;
    }
  }

  async function load() {
    notice('');
    try {
      const data = await api('GET', API);
      state.integration = (data.items || [])[0] || null;
      state.revealed = { pat: null, webhook_secret: null };
      state.hooks = null;
      render();
      if (state.integration) {
        loadProjects();
        loadActivity();
        checkHooks();
      }
    } catch (e) {
      $('loading').hidden = true;
      if (e.status !== 401 && e.status !== 403) notice('The integration could not be loaded: ' + e.message);
    }
  }

  function updated(integration) {
    state.integration = integration;
    render();
    loadActivity();
  }

  // ---------- the modal ----------

  function focusables() {
    return Array.from($('modal').querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])'))
      .filter((el) => !el.disabled && !el.hidden && el.offsetParent !== null);
  }

  function setFieldError(field, message) {
    const input = $(field + '-input');
    const error = $(field + '-error');
    error.textContent = message || '';
    error.hidden = !message;
    const described = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && id !== error.id);
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      described.push(error.id);
    } else {
      input.removeAttribute('aria-invalid');
    }
    if (described.length) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }

  function setFormError(message) {
    $('form-error').textContent = message || '';
    $('form-error').hidden = !message;
  }

  function clearErrors() {
    setFieldError('org', '');
    setFieldError('pat', '');
    setFieldError('expiry', '');
    setFormError('');
  }

  function openModal(mode) {
    state.modalMode = mode;
    state.lastFocus = document.activeElement;
    clearErrors();
    const editing = mode === 'edit';
    $('modal-title').textContent = editing ? 'Edit Integration' : 'Add Integration';
    $('org-input').value = editing ? state.integration.organization : '';
    $('pat-input').value = '';
    $('pat-input').required = !editing;
    $('pat-input').placeholder = editing ? 'Leave empty to keep the current token' : '';
    state.modalExpiry = editing && state.integration.pat_expires_at ? utcDay(state.integration.pat_expires_at) : '';
    $('expiry-input').value = state.modalExpiry;
    $('expiry-input').min = localToday();
    setPatVisible(false);
    $('modal-save').disabled = false;
    $('modal-save').textContent = 'Save';
    $('modal-backdrop').hidden = false;
    document.body.classList.add('modal-open');
    $('main').setAttribute('aria-hidden', 'true');
    const patFirst = editing && (state.integration.status_reason || state.integration.pat_expiry_warning);
    (patFirst ? $('pat-input') : $('org-input')).focus();
  }

  /** Typing a new token clears the old token's expiry date (the API forgets it too). */
  function patTyped() {
    if (state.modalMode !== 'edit' || !state.modalExpiry) return;
    const field = $('expiry-input');
    const typing = $('pat-input').value.trim() !== '';
    if (typing && field.value === state.modalExpiry) field.value = '';
    else if (!typing && field.value === '') field.value = state.modalExpiry;
  }

  function closeModal() {
    $('modal-backdrop').hidden = true;
    document.body.classList.remove('modal-open');
    $('main').removeAttribute('aria-hidden');
    $('pat-input').value = '';
    const back = state.lastFocus && document.contains(state.lastFocus) && !state.lastFocus.hidden ? state.lastFocus : ($('card').hidden ? $('add-integration') : $('edit-integration'));
    if (back) back.focus();
  }

  function setPatVisible(visible) {
    $('pat-input').type = visible ? 'text' : 'password';
    $('pat-visibility').textContent = visible ? 'Hide' : 'Show';
    $('pat-visibility').setAttribute('aria-label', (visible ? 'Hide' : 'Show') + ' Personal Access Token');
  }

  function showApiError(e) {
    const known = ERRORS[e.code];
    const [target, words] = known || ['form', e.message];
    if (target === 'form') {
      setFormError(words);
    } else {
      setFieldError(target, words);
      $(target + '-input').focus();
    }
  }

  async function submitModal(event) {
    event.preventDefault();
    clearErrors();
    const organization = $('org-input').value.trim();
    const pat = $('pat-input').value.trim();
    const editing = state.modalMode === 'edit';
    let firstBad = null;
    if (!organization) {
      setFieldError('org', 'Enter the organization name, the part of your URL after dev.azure.com/.');
      firstBad = firstBad || $('org-input');
    }
    if (!pat && !editing) {
      setFieldError('pat', 'Enter the Personal Access Token of the service account.');
      firstBad = firstBad || $('pat-input');
    }
    const expiry = $('expiry-input').value;
    if (expiry && expiry < localToday()) {
      setFieldError('expiry', 'This date has passed: enter the day the PAT expires, today or later.');
      firstBad = firstBad || $('expiry-input');
    }
    if (firstBad) {
      firstBad.focus();
      return;
    }
    const body = {};
    if (!editing || organization !== state.integration.organization) body.organization = organization;
    if (pat) body.pat = pat;
    if (!editing && expiry) body.pat_expires_at = expiry;
    if (editing && expiry !== state.modalExpiry) body.pat_expires_at = expiry || null;
    if (editing && Object.keys(body).length === 0) {
      closeModal();
      return;
    }
    const save = $('modal-save');
    save.disabled = true;
    save.textContent = 'Checking with Azure DevOps…';
    try {
      const integration = editing
        ? await api('PATCH', API + '/' + state.integration.id, body)
        : await api('POST', API, body);
      closeModal();
      state.revealed = { pat: null, webhook_secret: null };
      const credentials = !editing || body.pat !== undefined || body.organization !== undefined;
      if (credentials) state.hooks = null;
      updated(integration);
      loadProjects();
      // Another token or organization may see other subscriptions, or none.
      if (credentials) checkHooks();
      // The button that opened the modal may be gone (Add): the card takes the focus.
      if (!editing) $('card-title').focus();
      toast(editing ? 'Integration saved.' : 'Integration added. Now create the service hook in Azure DevOps.');
    } catch (e) {
      if (e.status === 401 || e.status === 403) {
        // The page already says why, in place of the card.
        closeModal();
        return;
      }
      showApiError(e);
    } finally {
      save.disabled = false;
      save.textContent = 'Save';
      // Disabling the focused Save button dropped the focus: give it back inside the modal.
      if (!$('modal-backdrop').hidden && !$('modal').contains(document.activeElement)) save.focus();
    }
  }

  function trapFocus(event) {
    if ($('modal-backdrop').hidden) return;
    if (event.key === 'Escape') {
      event.preventDefault();
      closeModal();
      return;
    }
    if (event.key !== 'Tab') return;
    const items = focusables();
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (document.activeElement === first || !$('modal').contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !$('modal').contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  }

  // ---------- card actions ----------

  async function reveal(field) {
    const data = await api('POST', API + '/' + state.integration.id + '/reveal', { field });
    return data.value;
  }

  async function toggleReveal(field) {
    const ids = field === 'pat' ? ['pat-value', 'pat-reveal', 'pat_hint'] : ['secret-value', 'secret-reveal', 'webhook_secret_hint'];
    try {
      if (state.revealed[field] !== null) {
        state.revealed[field] = null;
      } else {
        state.revealed[field] = await reveal(field);
        loadActivity();
      }
      renderSecret(field, ids[0], ids[1], state.integration[ids[2]]);
    } catch (e) {
      toast('Could not reveal: ' + e.message);
    }
  }

  async function copy(what) {
    const names = { organization: 'Organization', pat: 'Personal Access Token', webhook_url: 'Webhook URL', webhook_secret: 'Webhook Client Secret' };
    try {
      let text;
      if (what === 'pat' || what === 'webhook_secret') {
        // Copying a secret reads it through the audited reveal, like showing it.
        text = state.revealed[what] !== null ? state.revealed[what] : await reveal(what);
        loadActivity();
      } else {
        text = state.integration[what];
      }
      toast((await copyText(text)) ? names[what] + ' copied.' : 'Copying failed: select the text and copy it by hand.');
    } catch (e) {
      toast('Could not copy: ' + e.message);
    }
  }

  async function rotate() {
    const ok = window.confirm('Rotate the Webhook Client Secret? The service hooks in Azure DevOps keep failing until their password is updated to the new secret.');
    if (!ok) return;
    try {
      const data = await api('POST', API + '/' + state.integration.id + '/webhook-secret/rotate');
      state.integration = data.integration;
      state.revealed.webhook_secret = data.value;
      render();
      loadActivity();
      toast('New secret issued. Update the password of the service hooks in Azure DevOps.');
    } catch (e) {
      toast('Could not rotate: ' + e.message);
    }
  }

  let toggling = false;
  async function toggleEnabled() {
    const toggle = $('enabled-toggle');
    const enabled = toggle.checked;
    // Not `disabled`: that would take the focus away from a keyboard user.
    if (toggling) {
      toggle.checked = !enabled;
      return;
    }
    toggling = true;
    toggle.setAttribute('aria-busy', 'true');
    try {
      updated(await api('PATCH', API + '/' + state.integration.id, { enabled }));
      toast(enabled ? 'Sync enabled.' : 'Sync disabled: nothing is sent to or taken from Azure DevOps.');
    } catch (e) {
      toggle.checked = !enabled;
      toast('Could not change: ' + e.message);
    } finally {
      toggling = false;
      toggle.removeAttribute('aria-busy');
    }
  }

  async function saveTarget(event) {
    event.preventDefault();
    const project = $('project-select').value;
    const workItemType = $('type-select').value;
    const status = $('target-status');
    const body = {};
    if (project && project !== state.integration.project) body.project = project;
    if (workItemType && workItemType !== state.integration.work_item_type) body.work_item_type = workItemType;
    if (!Object.keys(body).length) {
      status.textContent = 'Nothing to save.';
      return;
    }
    status.textContent = 'Saving…';
    try {
      updated(await api('PATCH', API + '/' + state.integration.id, body));
      status.textContent = 'Saved.';
    } catch (e) {
      status.textContent = 'Not saved: ' + e.message;
    }
  }

  // ---------- wiring ----------

  function start() {
    $('add-integration').addEventListener('click', () => openModal('add'));
    $('edit-integration').addEventListener('click', () => openModal('edit'));
    $('attention-action').addEventListener('click', () => openModal('edit'));
    $('expiry-action').addEventListener('click', () => openModal('edit'));
    $('pat-input').addEventListener('input', patTyped);
    $('hooks-check').addEventListener('click', checkHooks);
    $('hooks-create').addEventListener('click', createHooks);
    $('modal-cancel').addEventListener('click', closeModal);
    $('integration-form').addEventListener('submit', submitModal);
    $('pat-visibility').addEventListener('click', () => setPatVisible($('pat-input').type === 'password'));
    $('modal-backdrop').addEventListener('mousedown', (e) => { if (e.target === $('modal-backdrop')) closeModal(); });
    document.addEventListener('keydown', trapFocus);
    $('enabled-toggle').addEventListener('change', toggleEnabled);
    $('secret-rotate').addEventListener('click', rotate);
    $('target-form').addEventListener('submit', saveTarget);
    $('project-select').addEventListener('change', (e) => loadTypes(e.target.value));
    for (const b of document.querySelectorAll('[data-copy]')) b.addEventListener('click', () => copy(b.dataset.copy));
    for (const b of document.querySelectorAll('[data-reveal]')) b.addEventListener('click', () => toggleReveal(b.dataset.reveal));
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('token-input').value.trim();
      if (!value) return;
      sessionStorage.setItem(TOKEN_KEY, value);
      state.token = value;
      $('token-input').value = '';
      $('token-box').hidden = true;
      $('loading').hidden = false;
      load();
    });

    // Navigator may hand a new token to an open page.
    window.addEventListener('hashchange', () => {
      const token = readToken();
      if (token && token !== state.token) {
        state.token = token;
        load();
      }
    });

    state.token = readToken();
    if (!state.token) {
      showTokenBox('');
      return;
    }
    load();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
