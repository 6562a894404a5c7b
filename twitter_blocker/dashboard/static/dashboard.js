// The dashboard page: polls /api/status and draws it. No library, no build step.
"use strict";

const only = decodeURIComponent((location.pathname.match(/^\/account\/(.+)$/) || [])[1] || "");
let clockSkew = 0; // server epoch minus browser epoch
let lastStatus = null;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function field(node, account, name, value) {
  node.dataset.account = account;
  node.dataset.field = name;
  node.textContent = value === null || value === undefined ? "-" : String(value);
  return node;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "-";
  let s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
}

function figures(a) {
  const st = a.stats, by = st.by_status || {};
  const acts = (st.actions && st.actions.counts) || {};
  return {
    total: st.total, done: st.done, pending: st.pending,
    blocked: by.blocked || 0, skipped: by.skipped || 0, failed: by.failed || 0,
    permanent_failures: st.permanent_failures, retry_candidates: st.retry_candidates,
    blocks: acts.block || 0, mutes: acts.mute || 0,
  };
}

function overviewRow(a) {
  const f = figures(a), tr = el("tr"), run = a.run;
  const name = el("td"); const link = el("a", a.name); link.href = "/account/" + encodeURIComponent(a.name);
  name.appendChild(link); tr.appendChild(name);
  tr.appendChild(field(el("td"), a.name, "run_state", run ? run.state : "none"));
  const pct = f.total ? Math.floor((100 * f.done) / f.total) : 0;
  tr.appendChild(field(el("td"), a.name, "percent", pct + "%"));
  for (const k of ["total", "done", "pending", "blocked", "failed"]) {
    tr.appendChild(field(el("td", null, "n"), a.name, "overview_" + k, f[k]));
  }
  tr.appendChild(el("td", run && run.state === "running" ? duration(run.eta_seconds) : "-"));
  const health = a.health ? a.health.level : "-";
  tr.appendChild(field(el("td", null, health), a.name, "health", health));
  tr.appendChild(field(el("td"), a.name, "incident_level", a.incident_level ? "level " + a.incident_level : "none"));
  return tr;
}

function dl(target, rows) {
  target.replaceChildren();
  for (const [label, node] of rows) {
    target.appendChild(el("dt", label));
    target.appendChild(node instanceof Node ? node : el("dd", node));
  }
}

function chart(box, hours) {
  const ns = "http://www.w3.org/2000/svg", h = 160, pad = 22;
  const w = Math.max(360, box.clientWidth || 720);
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const top = Math.max(1, ...hours.map((x) => x.blocks));
  const step = (w - pad) / Math.max(1, hours.length);
  hours.forEach((x, i) => {
    const bh = ((h - 2 * pad) * x.blocks) / top;
    const r = document.createElementNS(ns, "rect");
    r.setAttribute("x", pad + i * step + 1); r.setAttribute("width", Math.max(1, step - 2));
    r.setAttribute("y", h - pad - bh); r.setAttribute("height", bh);
    r.dataset.hour = x.hour; r.dataset.blocks = x.blocks;
    const tip = document.createElementNS(ns, "title"); tip.textContent = `${x.hour}:00 UTC: ${x.blocks}`;
    r.appendChild(tip); svg.appendChild(r);
    if (i % 3 === 0 || i === hours.length - 1) {
      const t = document.createElementNS(ns, "text");
      t.setAttribute("x", pad + i * step); t.setAttribute("y", h - 6); t.textContent = x.hour.slice(11) + "h";
      svg.appendChild(t);
    }
  });
  const label = document.createElementNS(ns, "text");
  label.setAttribute("x", 0); label.setAttribute("y", pad - 6); label.textContent = "max " + top;
  svg.appendChild(label);
  box.replaceChildren(svg);
}

function section(a) {
  const node = document.getElementById("account-template").content.firstElementChild.cloneNode(true);
  node.dataset.account = a.name;
  const f = figures(a), run = a.run;
  const link = node.querySelector(".name"); link.textContent = a.name; link.href = "/account/" + encodeURIComponent(a.name);
  node.querySelector(".dir").textContent = a.data_dir + (a.readable ? "" : " (unreadable: " + a.unread.join("; ") + ")");
  const d = (name, value) => field(el("dd"), a.name, name, value);
  dl(node.querySelector(".run"), run ? [
    ["Run", d("run_id", "#" + run.id)], ["State", d("state", run.state)],
    ["Started (UTC)", run.started_at || "-"], ["Blocks this run", d("run_blocks", run.blocks)],
    ["Pace", run.decided_per_hour === null ? "-" : Math.round(run.decided_per_hour) + " targets/h"],
    ["ETA", d("eta", run.state === "running" ? duration(run.eta_seconds) : "-")],
    ["Exit", run.exit_code === null ? "-" : run.exit_code + " " + (run.end_reason || "")],
  ] : [["Run", d("state", "none yet")]]);
  node.querySelector(".fill").style.width = (f.total ? (100 * f.done) / f.total : 0) + "%";
  dl(node.querySelector(".ledger"), [
    ["Targets", d("total", f.total)], ["Done", d("done", f.done)], ["Pending", d("pending", f.pending)],
    ["Blocked", d("blocked", f.blocked)], ["Skipped", d("skipped", f.skipped)], ["Failed", d("failed", f.failed)],
    ["Permanent failures", d("permanent_failures", f.permanent_failures)],
    ["Retry candidates", d("retry_candidates", f.retry_candidates)],
    ["Blocks confirmed", d("blocks", f.blocks)], ["Mutes confirmed", d("mutes", f.mutes)],
    ["Last block (UTC)", d("last_block_at", a.last_block_at)],
  ]);
  const verdict = node.querySelector(".verdict");
  verdict.textContent = a.health ? a.health.level.toUpperCase() : "-";
  verdict.className = "verdict " + (a.health ? a.health.level : "");
  const checks = node.querySelector(".checks");
  for (const c of (a.health ? a.health.checks : [])) checks.appendChild(el("li", `${c.name}: ${c.detail}`, c.level));
  const inc = node.querySelector(".incidents");
  if (!a.incidents.length) inc.appendChild(el("li", "none open"));
  for (const i of a.incidents) inc.appendChild(el("li", `#${i.id} level ${i.level}: ${i.symptom} (since ${i.opened_at})`, "bad"));
  const budgets = node.querySelector(".budgets");
  for (const b of a.budgets) {
    const tr = el("tr");
    tr.appendChild(el("td", b.operation));
    tr.appendChild(field(el("td", null, "n"), a.name, "remaining_" + b.operation, b.remaining));
    tr.appendChild(el("td", b.limit, "n"));
    const left = el("td", null, "countdown"); left.dataset.reset = b.reset_epoch; tr.appendChild(left);
    budgets.appendChild(tr);
  }
  if (!a.budgets.length) budgets.appendChild(el("tr")).appendChild(el("td", "no window seen yet"));
  const backups = node.querySelector(".backups");
  if (!a.backups.length) backups.appendChild(el("li", "none yet"));
  for (const b of a.backups) backups.appendChild(el("li", `${b.taken_at || "?"} ${b.kind} ${b.verified ? "verified" : "NOT verified"} (${b.name})`, b.verified ? "" : "bad"));
  const errors = node.querySelector(".errors");
  if (!a.last_errors.length) errors.appendChild(el("tr")).appendChild(el("td", "none"));
  for (const e of a.last_errors) {
    const tr = el("tr");
    for (const v of [e.at, e.operation, e.http_status, e.code, e.outcome, e.message]) tr.appendChild(el("td", v === null ? "-" : v));
    errors.appendChild(tr);
  }
  return node;
}

function tick() {
  const now = Date.now() / 1000 + clockSkew;
  for (const cell of document.querySelectorAll(".countdown")) {
    const left = Number(cell.dataset.reset) - now;
    cell.textContent = left > 0 ? duration(left) : "reset";
  }
}

function draw(status) {
  lastStatus = status;
  clockSkew = status.now_epoch - Date.now() / 1000;
  const accounts = status.accounts.filter((a) => !only || a.name === only);
  document.getElementById("scope").textContent = only ? "account " + only : "all accounts";
  document.getElementById("overview-rows").replaceChildren(...accounts.map(overviewRow));
  const sections = accounts.map(section);
  document.getElementById("accounts").replaceChildren(...sections);
  // drawn once in the page, so the chart knows its width
  sections.forEach((node, i) => chart(node.querySelector(".chart"), accounts[i].blocks_by_hour));
  const updated = document.getElementById("updated");
  updated.textContent = status.generated_at;
  updated.dataset.field = "generated_at";
  document.body.dataset.loaded = "yes";
  tick();
}

async function poll() {
  const problem = document.getElementById("problem");
  let wait = lastStatus ? lastStatus.refresh_seconds : 3;
  try {
    const answer = await fetch("/api/status", { cache: "no-store" });
    if (!answer.ok) throw new Error("HTTP " + answer.status);
    const status = await answer.json();
    draw(status);
    wait = status.refresh_seconds;
    problem.hidden = true;
  } catch (err) {
    problem.textContent = "(cannot reach the dashboard: " + err.message + ")";
    problem.hidden = false;
  }
  setTimeout(poll, wait * 1000);
}

setInterval(tick, 1000);
poll();
