// Signing in to the node's API from the web UI: the principal's API key, kept for this tab only
// (sessionStorage), sent as "Authorization: ApiKey <key>". A link may carry the key in its fragment
// (#key=...), which browsers never send to a server; it is taken out of the address at once.
'use strict';

(() => {
  const STORE = 'interconnect.apiKey';

  const fragment = new URLSearchParams(window.location.hash.slice(1));
  if (fragment.has('key')) {
    sessionStorage.setItem(STORE, fragment.get('key'));
    fragment.delete('key');
    const rest = fragment.toString();
    history.replaceState(null, '', window.location.pathname + window.location.search + (rest ? '#' + rest : ''));
  }

  function key() {
    return sessionStorage.getItem(STORE);
  }

  // The form in the page header: shown when signed out, a sign-out button when signed in.
  function bind(form) {
    if (!form) {
      return;
    }

    const input = form.querySelector('input');
    const signedIn = form.querySelector('[data-signed-in]');
    const signedOut = form.querySelector('[data-signed-out]');
    const render = () => {
      signedIn.hidden = !key();
      signedOut.hidden = Boolean(key());
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (value) {
        sessionStorage.setItem(STORE, value);
        input.value = '';
      }
      render();
      window.dispatchEvent(new Event('interconnect-signed-in'));
    });
    form.querySelector('[data-sign-out]').addEventListener('click', () => {
      sessionStorage.removeItem(STORE);
      render();
    });
    render();
  }

  window.interconnectAccess = {
    key,
    // Adds the Authorization header to a fetch init's headers when signed in.
    headers(headers) {
      const k = key();
      return k ? { ...headers, authorization: `ApiKey ${k}` } : headers;
    },
    bind,
  };

  document.addEventListener('DOMContentLoaded', () => bind(document.getElementById('sign-in')));
})();
