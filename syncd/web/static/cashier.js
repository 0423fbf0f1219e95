// syncd cashier page: one tap per item, and sales that wait on the phone when offline.
//
// Every sale gets a key made here (crypto.randomUUID) and goes into IndexedDB before
// anything is sent. The queue is sent oldest first; a sale leaves the queue only when
// the server has answered for it. The server records each key once (the ledger's
// idempotency keys), so a sale sent twice (its answer lost, the page reloaded while
// sending) moves stock once. Nothing is ever dropped: a sale the server refuses stays
// in the queue, shown, until someone deals with it.
"use strict";
(() => {
  const root = document.getElementById("cashier");
  if (!root) return;
  const T = root.dataset;
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const counts = new Map();
  let sending = false;

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(T.sw, { scope: "/" }).catch(() => {});
  }

  // -- IndexedDB: the queue ------------------------------------------------------------
  const dbp = new Promise((resolve, reject) => {
    const open = indexedDB.open("syncd-cashier", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("queue", { keyPath: "key" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const tx = async (mode, fn) => {
    const db = await dbp;
    return new Promise((resolve, reject) => {
      const t = db.transaction("queue", mode);
      const out = fn(t.objectStore("queue"));
      t.oncomplete = () => resolve(out && "result" in out ? out.result : undefined);
      t.onerror = () => reject(t.error);
    });
  };
  const queued = () => tx("readonly", (s) => s.getAll());
  const enqueue = (sale) => tx("readwrite", (s) => s.put(sale));
  const dequeue = (key) => tx("readwrite", (s) => s.delete(key));

  // -- the page ----------------------------------------------------------------------
  const money = (n) => {
    const sep = T.lang === "en" ? "," : ".";
    return "Rp " + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  };
  const say = (text) => { document.getElementById("last").textContent = text; };
  const items = () => Array.from(document.querySelectorAll("#items .item"));
  const redraw = () => {
    let total = 0;
    let any = false;
    for (const li of items()) {
      const n = counts.get(li.dataset.sku) || 0;
      li.querySelector(".n").textContent = String(n);
      li.classList.toggle("picked", n > 0);
      total += n * Number(li.dataset.price);
      any = any || n > 0;
    }
    document.getElementById("total").textContent = money(total);
    document.getElementById("done").disabled = !any;
  };
  const showQueue = async () => {
    const all = await queued();
    const el = document.getElementById("queue");
    el.dataset.count = String(all.length);
    el.textContent = T.tWaiting.replace("{count}", String(all.length));
    const refused = all.filter((s) => s.refused);
    el.classList.toggle("refused", refused.length > 0);
    if (refused.length) el.title = refused.map((s) => s.refused).join("\n");
  };
  const showNet = () => {
    const el = document.getElementById("net");
    el.textContent = navigator.onLine ? T.tOnline : T.tOffline;
    el.classList.toggle("off", !navigator.onLine);
  };
  const showStock = (stock) => {
    for (const li of items()) {
      if (li.dataset.sku in stock) {
        li.dataset.available = String(stock[li.dataset.sku]);
        const avail = li.querySelector(".avail");
        avail.textContent = avail.textContent.replace(/-?\d+/, String(stock[li.dataset.sku]));
      }
    }
  };

  document.getElementById("items").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button");
    if (!btn) return;
    const sku = btn.closest(".item").dataset.sku;
    const n = counts.get(sku) || 0;
    counts.set(sku, btn.classList.contains("plus") ? n + 1 : Math.max(0, n - 1));
    redraw();
  });
  document.getElementById("find").addEventListener("input", (ev) => {
    const q = ev.target.value.trim().toLowerCase();
    for (const li of items()) li.hidden = q !== "" && !li.textContent.toLowerCase().includes(q);
  });
  const newKey = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  };
  document.getElementById("done").addEventListener("click", async () => {
    const lines = [];
    for (const [sku, qty] of counts) if (qty > 0) lines.push({ sku, qty });
    if (!lines.length) return;
    const sale = {
      key: newKey(),
      items: lines,
      channel: document.getElementById("channel").value,
      sold_at: new Date().toISOString(),
      at: Date.now(),
    };
    await enqueue(sale);          // on the phone first: a lost connection loses nothing
    for (const li of items()) {   // what is left, as far as this phone knows
      const n = counts.get(li.dataset.sku) || 0;
      if (n) showStock({ [li.dataset.sku]: Number(li.dataset.available) - n });
    }
    counts.clear();
    redraw();
    await showQueue();
    flush();
  });

  // -- sending -----------------------------------------------------------------------
  const flush = async () => {
    if (sending || !navigator.onLine) return;
    sending = true;
    try {
      const all = (await queued()).filter((s) => !s.refused).sort((a, b) => a.at - b.at);
      for (const sale of all) {
        let res;
        try {
          res = await fetch("/api/sales", {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
            body: JSON.stringify({ key: sale.key, items: sale.items, channel: sale.channel, sold_at: sale.sold_at }),
          });
        } catch (err) {
          break;                  // no network: try again later, in the same order
        }
        if (res.status === 401 || res.status === 403) {
          say(T.tRelogin);
          break;
        }
        if (res.status >= 500 || res.status === 429 || res.status === 413) break;
        const answer = await res.json().catch(() => ({}));
        if (res.ok) {
          await dequeue(sale.key);
          if (answer.stock) showStock(answer.stock);
          const key = answer.status === "flagged" ? T.tFlagged : answer.status === "held" ? T.tHeld : T.tSent;
          say(key.replace("{skus}", (answer.short || []).join(", ")));
        } else {
          sale.refused = (answer.error || T.tRefused);
          await enqueue(sale);    // kept, shown, never dropped
        }
        await showQueue();
      }
    } finally {
      sending = false;
      await showQueue();
    }
  };

  window.addEventListener("online", () => { showNet(); flush(); });
  window.addEventListener("offline", showNet);
  setInterval(() => { showNet(); flush(); }, 3000);
  showNet();
  redraw();
  showQueue().then(flush);
})();
