// Must run before any web component is defined: lit reads `window.litNonce` when it falls back to <style>
// elements (no adoptable stylesheets), and the CSP only allows styles carrying the page's nonce, which the
// host puts in <meta name="csp-nonce">.
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content;
if (nonce) (window as unknown as { litNonce?: string }).litNonce = nonce;
export {};
