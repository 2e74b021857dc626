// The passkey page's WebAuthn ceremony (docs/strong-sign-in.md, Passkeys).
// The server put the options into the form's data-options, as JSON with
// binary fields in base64url; on the button this script asks the browser
// to create or use a passkey, writes the answer (the same JSON form the
// WebAuthn Level 3 toJSON() gives) into the hidden "credential" field and
// posts the form. A file of our own rather than inline script, so that
// the page's Content-Security-Policy needs only script-src 'self'; no
// network access besides that form post.
(function () {
  "use strict";
  var form = document.getElementById("passkey-form");
  if (!form) { return; }
  var button = document.getElementById("passkey-start");
  var failed = document.getElementById("passkey-failed");

  function fromB64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buf) {
    if (!buf) { return undefined; }
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: d.type, id: fromB64url(d.id), transports: d.transports };
    });
  }
  // The server's options hold {publicKey: {...}}, as go-webauthn writes them.
  function decode(options, create) {
    var pk = options.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    if (create) {
      pk.user.id = fromB64url(pk.user.id);
      pk.excludeCredentials = descriptors(pk.excludeCredentials);
    } else {
      pk.allowCredentials = descriptors(pk.allowCredentials);
    }
    return { publicKey: pk };
  }
  function encode(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      out.response.userHandle = toB64url(r.userHandle);
    }
    return out;
  }
  function fail() {
    form.removeAttribute("data-busy");
    button.disabled = false;
    if (failed) { failed.hidden = false; }
  }
  button.addEventListener("click", function () {
    if (!window.PublicKeyCredential || !navigator.credentials) { fail(); return; }
    var create = form.getAttribute("data-ceremony") === "create";
    var options;
    try {
      options = decode(JSON.parse(form.getAttribute("data-options")), create);
    } catch (e) { fail(); return; }
    button.disabled = true;
    if (failed) { failed.hidden = true; }
    form.setAttribute("data-busy", "true");
    var call = create ? navigator.credentials.create(options) : navigator.credentials.get(options);
    call.then(function (cred) {
      if (!cred) { fail(); return; }
      document.getElementById("passkey-credential").value = JSON.stringify(encode(cred));
      form.submit();
    }, fail);
  });
})();
