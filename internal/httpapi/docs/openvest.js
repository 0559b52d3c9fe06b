// Openvest's additions to Swagger UI (served at /docs/openvest.js, from the
// binary). It prepares each "Try it out" request the way a careful client
// does (see the README, "Swagger UI"):
//
//   * a fresh idempotency key per request (never the spec's example);
//   * Content-Digest (RFC 9530, sha-512) over the exact bytes sent;
//   * Signature / Signature-Input (RFC 9421, ed25519) when a private key was
//     pasted in the Authorize dialog, signed in the page with WebCrypto; the
//     spec's placeholder values are never sent;
//   * X-Client-Id from the client id the token was obtained with;
//   * path and required query ids prefilled with the ids the last responses
//     named (the customer just created, its counterparty, the application...),
//     and the id fields of a body example too.
//
// The Authorize dialog gains a "client credentials" form that gets a token
// from POST /v1/oauth/token and authorizes every scheme with it (Bearer, the
// client id header, and an OAuth2 scheme when the spec declares one).
(function () {
  "use strict";

  var ov = {};
  window.openvest = ov;

  // The idempotency key headers, in the order the server reads them
  // (httpsig.IdempotencyHeaders).
  var IDEMPOTENCY_HEADERS = ["X-Idempotency-Key", "X-Idempotency-Id", "Idempotency-Key", "x-l2f-idempotency-id"];
  var IDEMPOTENCY = /^(x-idempotency-key|x-idempotency-id|idempotency-key|x-l2f-idempotency-id)$/i;
  var COMPUTED = /^(content-digest|signature|signature-input)$/i;
  var MUTATING = { POST: true, PUT: true, PATCH: true, DELETE: true };

  var system = null; // Swagger UI's system, set by the plugin
  var listeners = [];
  var signingKey = null; // CryptoKey (not extractable); never leaves the page
  var signingKeyId = "";

  function notify() {
    listeners.slice().forEach(function (f) { f(); });
  }
  function subscribe(f) {
    listeners.push(f);
    return function () { listeners = listeners.filter(function (g) { return g !== f; }); };
  }

  // ---- storage -------------------------------------------------------------

  function load(storage, key, def) {
    try {
      var v = storage.getItem(key);
      return v === null ? def : JSON.parse(v);
    } catch (e) {
      return def;
    }
  }
  function save(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  // The last ids the responses named, by parameter name ("customerId",
  // "counterparty_guid") or resource ("applications.id"): kept for the tab.
  var ids = load(sessionStorage, "openvest.ids", {});
  ov.ids = function () { return Object.assign({}, ids); };

  function clientId() { return load(localStorage, "openvest.clientId", ""); }

  // ---- helpers -------------------------------------------------------------

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function b64(buf) {
    var s = "";
    var bytes = new Uint8Array(buf);
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  function headerKey(headers, name) {
    var lower = name.toLowerCase();
    for (var k in headers) if (k.toLowerCase() === lower) return k;
    return null;
  }
  function getHeader(headers, name) {
    var k = headerKey(headers, name);
    return k === null ? undefined : headers[k];
  }
  function setHeader(headers, name, value) {
    deleteHeader(headers, name);
    headers[name] = value;
  }
  function deleteHeader(headers, name) {
    var k;
    while ((k = headerKey(headers, name)) !== null) delete headers[k];
  }

  function specJSON() {
    return system ? system.specSelectors.specJson().toJS() : {};
  }

  // The example values the spec gives header parameters (placeholders the
  // page must never send).
  var placeholders = null;
  function placeholderValues() {
    if (placeholders) return placeholders;
    var out = {};
    var params = (specJSON().components || {}).parameters || {};
    Object.keys(params).forEach(function (k) {
      var p = params[k];
      if (p && p.in === "header" && p.example !== undefined) {
        var name = p.name.toLowerCase();
        (out[name] = out[name] || []).push(String(p.example));
      }
    });
    placeholders = out;
    return out;
  }
  function isPlaceholder(name, value) {
    return (placeholderValues()[name.toLowerCase()] || []).indexOf(String(value)) >= 0;
  }

  // The spec's path template a URL path matches ("/applications/{id}/submit").
  function pathTemplate(path) {
    var paths = Object.keys(specJSON().paths || {});
    var best = null;
    paths.forEach(function (t) {
      var re = new RegExp("^" + t.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+") + "$");
      if (re.test(path) && (best === null || t.split("{").length < best.split("{").length)) best = t;
    });
    return best;
  }

  // ---- ids between calls ----------------------------------------------------

  // Banking ids are prefixed by their resource.
  var ID_PREFIXES = { app: "applications", doc: "documents", cust: "customers", ind: "individuals", acc: "accounts" };

  function literalBefore(segments, i) {
    for (var j = i - 1; j >= 0; j--) if (segments[j] && segments[j][0] !== "{") return segments[j];
    return "";
  }

  // A field names a resource id when it ends in Id or _guid and a path of
  // the spec takes a parameter of that name (customerId, counterparty_guid),
  // or it ends in _id (customer_id); referenceId, clientId, tokenId do not.
  var pathParams = null;
  function isResourceId(k) {
    if (!pathParams) {
      pathParams = {};
      Object.keys(specJSON().paths || {}).forEach(function (t) {
        (t.match(/\{[^}]+\}/g) || []).forEach(function (p) { pathParams[p.slice(1, -1)] = true; });
      });
    }
    return (pathParams[k] === true && /(Id|_guid)$/.test(k)) || /_id$/.test(k);
  }

  function learn(template, json) {
    if (!json || typeof json !== "object" || Array.isArray(json)) return;
    var obj = json.data && typeof json.data === "object" ? json.data : json;
    if (Array.isArray(obj)) return;
    var changed = false;
    Object.keys(obj).forEach(function (k) {
      var v = obj[k];
      if (typeof v !== "string" && typeof v !== "number") return;
      if (v === "" || v === 0) return;
      var names = [];
      if (k === "id") {
        var m = /^([a-z]+)_/.exec(String(v));
        var segs = (template || "").split("/");
        var last = segs[segs.length - 1] || "";
        var resource = m && ID_PREFIXES[m[1]] ? ID_PREFIXES[m[1]] : last[0] === "{" ? literalBefore(segs, segs.length - 1) : last;
        if (resource) names.push(resource + ".id");
      } else if (isResourceId(k)) {
        names.push(k);
        var snake = /^(.+)_id$/.exec(k);
        if (snake) names.push(snake[1] + "s.id");
      }
      names.forEach(function (n) {
        if (ids[n] !== v) { ids[n] = v; changed = true; }
      });
    });
    if (changed) {
      save(sessionStorage, "openvest.ids", ids);
      notify();
    }
  }

  // The id the page suggests for a path (or required query) parameter.
  function idFor(template, name) {
    if (ids[name] !== undefined && name !== "id") return ids[name];
    var segs = template.split("/");
    var i = segs.indexOf("{" + name + "}");
    var resource = i >= 0 ? literalBefore(segs, i) : "";
    var v = ids[resource + ".id"];
    return v;
  }

  // A request body that is one of the operation's examples, as Swagger UI
  // fills it in, gets its top-level id fields (customerId, portfolioId...)
  // replaced by the ids last seen; a body the user edited is left alone.
  function substituteBody(value, pathMethod) {
    if (typeof value !== "string" || !system || !pathMethod) return value;
    var parsed;
    try { parsed = JSON.parse(value); } catch (e) { return value; }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return value;
    var content = system.specSelectors.specResolvedSubtree(["paths", pathMethod[0], pathMethod[1], "requestBody", "content"]);
    if (!content || !content.toJS) return value;
    content = content.toJS();
    var examples = [];
    Object.keys(content).forEach(function (mt) {
      var c = content[mt] || {};
      if (c.example !== undefined) examples.push(c.example);
      Object.keys(c.examples || {}).forEach(function (k) {
        if (c.examples[k] && c.examples[k].value !== undefined) examples.push(c.examples[k].value);
      });
    });
    var text = JSON.stringify(parsed);
    if (!examples.some(function (e) { return JSON.stringify(e) === text; })) return value;
    var changed = false;
    Object.keys(parsed).forEach(function (k) {
      var v = parsed[k];
      if ((typeof v !== "string" && typeof v !== "number") || !isResourceId(k)) return;
      if (ids[k] !== undefined && ids[k] !== v) { parsed[k] = ids[k]; changed = true; }
    });
    return changed ? JSON.stringify(parsed, null, 2) : value;
  }

  // ---- idempotency keys -----------------------------------------------------

  var freshKeys = {}; // field -> the key the page put there
  var sentKeys = {}; // keys the page put in a field and that were sent

  function freshKeyFor(field) {
    if (!freshKeys[field] || sentKeys[freshKeys[field]]) freshKeys[field] = uuid();
    return freshKeys[field];
  }

  // ---- prefilling parameter fields ------------------------------------------

  var suggested = {}; // field -> values the page has put there

  // The header that carries the page's key: a required one, or the
  // current names (X-Idempotency-Key; x-l2f-idempotency-id on banking);
  // the older aliases (X-Idempotency-Id, Idempotency-Key) stay empty.
  function primaryIdempotency(param) {
    var name = String(param.get("name")).toLowerCase();
    return param.get("required") === true || name === "x-idempotency-key" || name === "x-l2f-idempotency-id";
  }

  function suggestion(pathMethod, param) {
    var name = param.get("name");
    var where = param.get("in");
    var field = pathMethod[0] + " " + pathMethod[1] + " " + where + "." + name;
    if (where === "header" && IDEMPOTENCY.test(name)) {
      // One fresh key, in the operation's first idempotency header; its
      // aliases stay empty.
      return { field: field, value: primaryIdempotency(param) ? freshKeyFor(field) : "" };
    }
    if (where === "header" && COMPUTED.test(name)) return { field: field, value: "" };
    if (where === "path" || (where === "query" && param.get("required"))) {
      var v = idFor(pathMethod[0], name);
      if (v !== undefined) return { field: field, value: String(v) };
    }
    return null;
  }

  function prefill(props) {
    var param = props.rawParam || props.param;
    if (!param || !param.get || !props.pathMethod || !system) return;
    var s = suggestion(props.pathMethod, param);
    if (!s) return;
    var withMeta = system.specSelectors.parameterWithMetaByIdentity(props.pathMethod, param);
    var current = withMeta ? withMeta.get("value") : undefined;
    current = current === undefined || current === null ? "" : String(current);
    if (current === s.value) return;
    var example = param.get("example");
    if (example === undefined && param.getIn) example = param.getIn(["schema", "example"]);
    var replaceable = current === "" || (example !== undefined && current === String(example)) ||
      (suggested[s.field] || []).indexOf(current) >= 0 || sentKeys[current];
    if (!replaceable) return; // the user typed it: leave it
    (suggested[s.field] = suggested[s.field] || []).push(s.value);
    // An emptied field holds null, as Swagger UI's own input does (an empty
    // string would fail the schema's minLength).
    props.onChange(props.rawParam || param, s.value === "" ? null : s.value);
  }

  // ---- digest and signature -------------------------------------------------

  async function contentDigest(bytes) {
    return "sha-512=:" + b64(await crypto.subtle.digest("SHA-512", bytes)) + ":";
  }

  // The components the server requires (httpsig.RequiredComponents).
  function components(method, hasBody, token, headers) {
    var out = ["@method", "@target-uri", "@path"];
    if (method === "GET" || method === "DELETE") out.push("@query");
    if (hasBody) out.push("content-type", "content-digest", "content-length");
    if (!token) out.push("authorization", "x-client-id");
    IDEMPOTENCY_HEADERS.forEach(function (h) {
      if (getHeader(headers, h)) out.push(h.toLowerCase());
    });
    return out;
  }

  function sfString(s) { return '"' + String(s).replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"'; }

  async function sign(req, url, bytes) {
    var method = req.method.toUpperCase();
    var token = /\/oauth\/token$/.test(url.pathname);
    var covered = components(method, bytes.length > 0, token, req.headers);
    var created = Math.floor(Date.now() / 1000);
    var params = "(" + covered.map(sfString).join(" ") + ");created=" + created + ";expires=" + (created + 60) + ";keyid=" + sfString(signingKeyId);
    var lines = covered.map(function (c) {
      var v;
      switch (c) {
        case "@method": v = method; break;
        case "@target-uri": v = url.href; break;
        case "@path": v = url.pathname || "/"; break;
        case "@query": v = "?" + url.search.replace(/^\?/, ""); break;
        case "content-length": v = String(bytes.length); break;
        default:
          v = getHeader(req.headers, c);
          if (v === undefined) throw new Error("the signature must cover " + c + " but the request has no such header");
          v = String(v).trim();
      }
      return sfString(c) + ": " + v;
    });
    lines.push('"@signature-params": ' + params);
    var base = new TextEncoder().encode(lines.join("\n"));
    var sig = await crypto.subtle.sign({ name: "Ed25519" }, signingKey, base);
    setHeader(req.headers, "Signature-Input", "sig1=" + params);
    setHeader(req.headers, "Signature", "sig1=:" + b64(sig) + ":");
  }

  // prepare makes a request ready to send; req is swagger-client's request
  // ({url, method, headers, body}), its body a string when there is one.
  async function prepare(req) {
    req.headers = req.headers || {};
    var method = (req.method || "GET").toUpperCase();
    var url = new URL(req.url, window.location.href);
    var token = /\/oauth\/token$/.test(url.pathname);

    // Placeholders and empty computed headers are never sent.
    ["Content-Digest", "Signature", "Signature-Input"].forEach(function (h) {
      var v = getHeader(req.headers, h);
      if (v !== undefined && (v === "" || v === null || isPlaceholder(h, v))) deleteHeader(req.headers, h);
    });

    // A fresh idempotency key unless the user typed one of their own: the
    // spec's example is never sent (dropped when another key header is
    // set, replaced by a fresh key otherwise).
    var keyHeaders = IDEMPOTENCY_HEADERS.filter(function (h) {
      var k = headerKey(req.headers, h);
      if (k === null) return false;
      var v = req.headers[k];
      if (v === "" || v === null || v === undefined) { delete req.headers[k]; return false; }
      return true;
    });
    var real = keyHeaders.filter(function (h) { return !isPlaceholder(h, getHeader(req.headers, h)); });
    keyHeaders.forEach(function (h) {
      if (!isPlaceholder(h, getHeader(req.headers, h))) return;
      if (real.length > 0) deleteHeader(req.headers, h);
      else { setHeader(req.headers, h, uuid()); real.push(h); }
    });
    real.forEach(function (h) {
      var v = getHeader(req.headers, h);
      if (Object.keys(freshKeys).some(function (f) { return freshKeys[f] === v; })) sentKeys[v] = true;
    });
    if (!token && MUTATING[method] && real.length === 0 && /^\/v1\//.test(url.pathname)) {
      req.headers["X-Idempotency-Key"] = uuid();
    }

    if (!token && !getHeader(req.headers, "X-Client-Id")) {
      var cid = oauth2ClientId() || clientId();
      if (cid) req.headers["X-Client-Id"] = cid;
    }
    if (!token && !getHeader(req.headers, "Authorization")) {
      var bearer = oauth2Token();
      if (bearer) req.headers.Authorization = "Bearer " + bearer;
    }

    var bytes = new Uint8Array(0);
    if (typeof req.body === "string" && req.body !== "") {
      bytes = new TextEncoder().encode(req.body);
    } else if (req.body instanceof URLSearchParams) {
      req.body = req.body.toString();
      bytes = new TextEncoder().encode(req.body);
    }
    if (bytes.length > 0) setHeader(req.headers, "Content-Digest", await contentDigest(bytes));
    else deleteHeader(req.headers, "Content-Digest");

    if (signingKey) await sign(req, url, bytes);
    return req;
  }
  ov.prepare = prepare;

  // The client id of an OAuth2 authorization (Swagger UI's own client
  // credentials form, when the spec declares the scheme).
  function oauth2ClientId() {
    if (!system) return "";
    var authorized = system.authSelectors.authorized();
    var out = "";
    if (authorized) authorized.forEach(function (a) {
      if (a.getIn(["schema", "type"]) === "oauth2" && a.get("clientId")) out = a.get("clientId");
    });
    return out;
  }

  function oauth2Token() {
    if (!system) return "";
    var authorized = system.authSelectors.authorized();
    var out = "";
    if (authorized) authorized.forEach(function (a) {
      if (a.getIn(["schema", "type"]) === "oauth2" && a.getIn(["token", "access_token"])) out = a.getIn(["token", "access_token"]);
    });
    return out;
  }

  // ---- interceptors ---------------------------------------------------------

  var pending = {}; // url -> path template, for the response interceptor

  ov.requestInterceptor = async function (req) {
    if (req.loadSpec) return req;
    await prepare(req);
    var url = new URL(req.url, window.location.href);
    pending[url.href] = pathTemplate(url.pathname);
    notify(); // rotate the idempotency keys just used
    return req;
  };

  ov.responseInterceptor = function (res) {
    if (res && res.url && res.status >= 200 && res.status < 300) {
      var url = new URL(res.url, window.location.href);
      var template = pending[url.href] || pathTemplate(url.pathname);
      delete pending[url.href];
      var body = res.body !== undefined ? res.body : res.obj;
      if (body === undefined && typeof res.text === "string") {
        try { body = JSON.parse(res.text); } catch (e) { body = undefined; }
      }
      if (template) learn(template, body);
    }
    return res;
  };

  // ---- the Authorize dialog: client credentials and signing key -------------

  function schemes() {
    var defs = system.specSelectors.securityDefinitions();
    return defs ? defs.toJS() : {};
  }

  function tokenURL() {
    var all = schemes();
    for (var n in all) {
      var cc = all[n].type === "oauth2" && all[n].flows && all[n].flows.clientCredentials;
      if (cc && cc.tokenUrl) return new URL(cc.tokenUrl, system.specSelectors.url() || window.location.href).href;
    }
    var server = (system.oas3Selectors.selectedServer && system.oas3Selectors.selectedServer()) || "/";
    var base = new URL(server, system.specSelectors.url() || window.location.href).href.replace(/\/$/, "");
    return base + "/v1/oauth/token";
  }

  async function getToken(id, secret) {
    var req = {
      url: tokenURL(), method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ clientId: id, clientSecret: secret }).toString(),
    };
    await prepare(req);
    var res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body });
    var text = await res.text();
    var json = {};
    try { json = JSON.parse(text); } catch (e) { /* not JSON */ }
    if (!res.ok) throw new Error(res.status + ": " + (json.message || json.detail || json.error_description || text));
    var data = json.data || {};
    var token = json.access_token || json.token || data.token;
    if (!token) throw new Error("the token response has no token: " + text);
    save(localStorage, "openvest.clientId", id);
    var payload = {};
    var oauth = [];
    var all = schemes();
    var defs = system.specSelectors.securityDefinitions();
    Object.keys(all).forEach(function (name) {
      var s = all[name];
      var schema = defs.get(name);
      if (s.type === "http" && String(s.scheme).toLowerCase() === "bearer") payload[name] = { name: name, schema: schema, value: token };
      else if (s.type === "apiKey" && s.in === "header" && s.name.toLowerCase() === "x-client-id") payload[name] = { name: name, schema: schema, value: id };
      else if (s.type === "oauth2") oauth.push({ name: name, schema: schema });
    });
    system.authActions.authorizeWithPersistOption(payload);
    oauth.forEach(function (o) {
      system.authActions.authorizeOauth2WithPersistOption({
        auth: { name: o.name, schema: o.schema, clientId: id, scopes: [] },
        token: { access_token: token, token_type: "Bearer", expires_in: json.expires_in || json.expiresIn || data.expiresIn },
      });
    });
    return token;
  }

  function pemToDER(pem) {
    var m = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
    if (!m) throw new Error("paste a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----), as openssl genpkey -algorithm ed25519 writes");
    var bin = atob(m[1].replace(/\s+/g, ""));
    var der = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
    return der;
  }

  async function useKey(keyId, pem) {
    if (!keyId) throw new Error("give the key id registered with `openvest org add-key`");
    var key = await crypto.subtle.importKey("pkcs8", pemToDER(pem), { name: "Ed25519" }, false, ["sign"]);
    signingKey = key;
    signingKeyId = keyId;
    save(localStorage, "openvest.keyId", keyId);
  }

  function CredentialsForm(React) {
    var h = React.createElement;
    return function OpenvestCredentials() {
      var st = React.useState({ id: clientId(), secret: "", status: "", keyId: signingKeyId || load(localStorage, "openvest.keyId", ""), pem: "", keyStatus: signingKey ? "signing as " + signingKeyId : "" });
      var state = st[0];
      var setState = function (patch) { st[1](function (s) { return Object.assign({}, s, patch); }); };
      function field(label, key, type, id) {
        return h("label", { style: { display: "block", margin: "4px 0" } }, h("span", { style: { display: "inline-block", width: "9em" } }, label),
          h("input", { id: id, type: type, value: state[key], autoComplete: "off", style: { width: "60%" },
            onChange: function (e) { var p = {}; p[key] = e.target.value; setState(p); } }));
      }
      return h("div", { className: "auth-container openvest-credentials" },
        h("h4", null, "Client credentials (Openvest)"),
        h("p", null, "Gets a token from POST /v1/oauth/token and authorizes Bearer and X-Client-Id with it. The secret is sent only to the token endpoint and not stored."),
        field("clientId", "id", "text", "openvest-client-id"),
        field("clientSecret", "secret", "password", "openvest-client-secret"),
        h("div", { className: "auth-btn-wrapper" },
          h("button", { id: "openvest-get-token", type: "button", className: "btn modal-btn auth authorize",
            onClick: function () {
              setState({ status: "getting a token…" });
              getToken(state.id.trim(), state.secret).then(function () {
                setState({ status: "authorized as " + state.id.trim(), secret: "" });
              }, function (err) { setState({ status: "token failed: " + err.message }); });
            } }, "Get token")),
        h("p", { id: "openvest-token-status" }, state.status),
        h("h4", null, "Signing key (optional)"),
        h("p", null, "For organizations that require signatures: the page signs each request (RFC 9421, ed25519) in the browser. The key stays in this page's memory and is never sent."),
        field("keyid", "keyId", "text", "openvest-key-id"),
        h("textarea", { id: "openvest-private-key", placeholder: "-----BEGIN PRIVATE KEY-----", value: state.pem, rows: 4, style: { width: "100%", fontFamily: "monospace" },
          onChange: function (e) { setState({ pem: e.target.value }); } }),
        h("div", { className: "auth-btn-wrapper" },
          h("button", { id: "openvest-use-key", type: "button", className: "btn modal-btn auth",
            onClick: function () {
              useKey(state.keyId.trim(), state.pem).then(function () {
                setState({ pem: "", keyStatus: "signing as " + signingKeyId });
              }, function (err) { setState({ keyStatus: "key refused: " + err.message }); });
            } }, "Sign with this key"),
          h("button", { id: "openvest-forget-key", type: "button", className: "btn modal-btn auth",
            onClick: function () { signingKey = null; signingKeyId = ""; setState({ keyStatus: "not signing" }); } }, "Forget key")),
        h("p", { id: "openvest-key-status" }, state.keyStatus));
    };
  }

  // ---- the plugin -----------------------------------------------------------

  ov.plugin = function (sys) {
    var React = sys.React;
    var Credentials = null;
    system = sys;
    return {
      afterLoad: function (s) { system = s; ov.system = s; },
      statePlugins: {
        spec: {
          wrapActions: {
            updateJsonSpec: function (ori) {
              return function (json) { placeholders = null; pathParams = null; return ori(json); };
            },
          },
        },
        oas3: {
          wrapActions: {
            setRequestBodyValue: function (ori) {
              return function (arg) {
                return ori(Object.assign({}, arg, { value: substituteBody(arg && arg.value, arg && arg.pathMethod) }));
              };
            },
          },
        },
      },
      wrapComponents: {
        parameterRow: function (Original) {
          return function OpenvestParameterRow(props) {
            var tick = React.useState(0);
            React.useEffect(function () { return subscribe(function () { tick[1](function (n) { return n + 1; }); }); }, []);
            React.useEffect(function () { prefill(props); });
            return React.createElement(Original, props);
          };
        },
        auths: function (Original) {
          return function OpenvestAuths(props) {
            var defs = props.definitions;
            var bearer = defs && defs.some && defs.some(function (d) {
              return d.get("type") === "http" && String(d.get("scheme")).toLowerCase() === "bearer";
            });
            if (!bearer) return React.createElement(Original, props);
            Credentials = Credentials || CredentialsForm(React);
            return React.createElement("div", null, React.createElement(Credentials), React.createElement(Original, props));
          };
        },
      },
    };
  };
})();
