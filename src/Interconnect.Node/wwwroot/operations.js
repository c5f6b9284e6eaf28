// The live operations page: the node's throughput, replication lag per partner, rejections,
// latency and health, polled from /api/operations/metrics (the figures its Meter exports).
// Every value goes into the page as text, never as markup.
'use strict';

(() => {
  const REFRESH_MS = 2000;
  const HISTORY = 60; // points per sparkline: two minutes at one poll every two seconds
  const history = new Map(); // figure -> recent rates
  const $ = (selector, root = document) => root.querySelector(selector);
  let refreshing = false;

  function setText(element, text) {
    if (element && element.textContent !== text) {
      element.textContent = text;
    }
  }

  function rate(value) {
    return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
  }

  function seconds(value) {
    if (value === null || value === undefined) {
      return '–';
    }

    if (value === 0) {
      return '0 s';
    }

    return value < 1 ? `${(value * 1000).toFixed(value < 0.01 ? 2 : 0)} ms` : `${value.toFixed(value < 10 ? 2 : 0)} s`;
  }

  function cell(row, text, className) {
    const td = document.createElement('td');
    if (className) {
      td.className = className;
    }

    td.textContent = text;
    row.append(td);
    return td;
  }

  function showMessage(text) {
    const box = $('#message');
    box.hidden = !text;
    box.dataset.kind = 'error';
    setText(box, text || '');
  }

  function spark(figure, value) {
    const points = history.get(figure) || [];
    points.push(value);
    while (points.length > HISTORY) {
      points.shift();
    }

    history.set(figure, points);
    const top = Math.max(...points, 0.001);
    const step = 120 / (HISTORY - 1);
    const offset = (HISTORY - points.length) * step;
    const line = points.map((p, i) => `${(offset + i * step).toFixed(1)},${(30 - (p / top) * 28 - 1).toFixed(1)}`).join(' ');
    $(`[data-figure="${figure}"] polyline`).setAttribute('points', line);
  }

  function tile(figure, perSecond, total) {
    const root = $(`[data-figure="${figure}"]`);
    setText($('.rate', root), `${rate(perSecond)}/s`);
    setText($('.total', root), `${total} in all`);
    spark(figure, perSecond);
  }

  function renderThroughput(m) {
    tile('appended', m.throughput.appendedPerSecond, m.totals.appended);
    tile('replicated', m.throughput.replicatedPerSecond, m.totals.replicated);
    tile('endorsed', m.throughput.endorsedPerSecond, m.totals.endorsementsReceived);
    tile('issued', m.throughput.endorsementsIssuedPerSecond, m.totals.endorsementsIssued);
    tile('rejected', m.throughput.rejectedPerSecond, m.totals.rejectionsReceived + m.totals.rejectionsIssued);
  }

  function renderLatency(m) {
    for (const [key, figures] of [['endorsement', m.endorsementLatency], ['storage', m.storage]]) {
      const row = $(`[data-latency="${key}"]`);
      setText($('.count', row), String(figures.count));
      setText($('.p50', row), seconds(figures.p50Seconds));
      setText($('.p99', row), seconds(figures.p99Seconds));
    }
  }

  function renderReplication(m) {
    const body = $('#replication tbody');
    const rows = m.partners.map((p) => {
      const row = document.createElement('tr');
      row.dataset.partner = p.partner;
      cell(row, p.partner);
      const connected = cell(row, p.connected ? 'yes' : 'no', 'connected');
      connected.dataset.connected = String(p.connected);
      cell(row, String(p.lagEntries), p.lagEntries > 0 ? 'number lag lagging' : 'number lag');
      cell(row, seconds(p.lagSeconds), p.lagSeconds > 5 ? 'number lag-seconds lagging' : 'number lag-seconds');
      cell(row, String(p.backlog), 'number backlog');
      cell(row, String(p.replicated), 'number');
      cell(row, String(p.endorsementsReceived), 'number');
      cell(row, String(p.rejectionsReceived), 'number');
      return row;
    });
    body.replaceChildren(...rows);
    $('#replication-empty').hidden = rows.length > 0;
  }

  function renderRejections(m) {
    const rows = m.rejections.map((r) => {
      const row = document.createElement('tr');
      cell(row, r.reason, 'reason');
      cell(row, r.direction === 'issued' ? 'we rejected' : 'partner rejected ours');
      cell(row, r.partner);
      cell(row, String(r.count), 'number');
      return row;
    });
    $('#rejections tbody').replaceChildren(...rows);
    $('#rejections-empty').hidden = rows.length > 0;
  }

  function renderHealth(m) {
    const readiness = $('#readiness');
    setText(readiness, m.readiness.status);
    readiness.dataset.status = m.readiness.status;
    const rows = m.readiness.checks.map((c) => {
      const row = document.createElement('tr');
      row.dataset.check = c.name;
      cell(row, c.name);
      const status = cell(row, c.status, 'status');
      status.dataset.status = c.status;
      cell(row, c.description);
      cell(row, `${c.durationMs.toFixed(1)} ms`, 'number');
      return row;
    });
    $('#health tbody').replaceChildren(...rows);
    setText($('#grain-activations'), String(m.grains.activations));
    setText($('#grains-active'), String(m.grains.active));
    setText($('#alarm-count'), String(m.totals.alarms));
  }

  async function refresh() {
    if (refreshing) {
      return;
    }

    refreshing = true;
    try {
      const response = await fetch('/api/operations/metrics', { headers: window.interconnectAccess.headers({ accept: 'application/json' }) });
      if (!response.ok) {
        const problem = await response.json().catch(() => null);
        throw new Error(problem?.detail || `HTTP ${response.status} from /api/operations/metrics`);
      }

      const m = await response.json();
      setText($('#administration'), m.administrationId);
      document.title = `Interconnect operations ${m.administrationId}`;
      setText($('#log-size'), String(m.logSize));
      renderThroughput(m);
      renderLatency(m);
      renderReplication(m);
      renderRejections(m);
      renderHealth(m);
      setText($('#refreshed'), new Date(m.at).toLocaleTimeString());
      showMessage('');
    } catch (error) {
      showMessage(`No figures: ${error.message}`);
    } finally {
      refreshing = false;
    }
  }

  refresh();
  setInterval(refresh, REFRESH_MS);
})();
