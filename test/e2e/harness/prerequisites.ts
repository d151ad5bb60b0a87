// Can the e2e tests run on this machine? Checked without installing anything, so that a machine that
// lacks a system package is told which one instead of failing half-way through a 2-minute install.
import * as fs from 'fs';
import { isCodeServerInstalled, which } from './codeServer';

/** Debian's Chromium unless CHROMIUM_PATH names another Chromium or Chrome. */
export function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return fs.existsSync(process.env.CHROMIUM_PATH) ? process.env.CHROMIUM_PATH : undefined;
  const candidates = [
    '/usr/bin/chromium',
    which('chromium'),
    which('chromium-browser'),
    which('google-chrome'),
  ];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

/** Why the e2e tests cannot run here, or `undefined` when they can (possibly after installing code-server). */
export function missingPrerequisites(): string | undefined {
  if (process.platform !== 'linux') return `the e2e harness runs on Linux only (this is ${process.platform})`;
  const missing: string[] = [];
  if (!findChromium()) missing.push('Chromium (Debian: apt-get install chromium; or set CHROMIUM_PATH)');
  if (!isCodeServerInstalled()) {
    // What code-server's install needs: native modules built with node-gyp, and rg for its postinstall.
    if (!which('rg')) missing.push('ripgrep (apt-get install ripgrep)');
    if (!which('python3')) missing.push('python3 (apt-get install python3)');
    if (!which('make') || !(which('g++') || which('c++'))) missing.push('a C++ toolchain (apt-get install build-essential)');
    if (!fs.existsSync('/usr/include/gssapi/gssapi.h') && !which('krb5-config')) {
      missing.push('Kerberos headers (apt-get install libkrb5-dev)');
    }
  }
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(', ')}; as root, bash .ci/run installs them`;
}
