// server.js
//
// Copyright 2026 The Balena Accounts authors
//
// SPDX-License-Identifier: GPL-3.0-or-later
//
// Spawns balena-accounts-server with demo data on a free loopback port and
// reads its output contract: the URL is the first line on stdout, then the
// lines "email: …", "username: …" and "password: …" (--seed-demo).

'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const STARTUP_TIMEOUT_MS = 20000;

async function startServer() {
  const binary = process.env.BA_SERVER_PATH;
  if (!binary)
    throw new Error('BA_SERVER_PATH is not set; run this through `meson test`');
  if (!fs.existsSync(binary))
    throw new Error(`BA_SERVER_PATH points at a missing file: ${binary}`);

  const tempDirs = [];
  const makeTempDir = (prefix) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ba-conformance-' + prefix));
    tempDirs.push(dir);
    return dir;
  };
  const dataDir = makeTempDir('server-');

  const child = spawn(binary,
    ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--seed-demo'],
    { stdio: ['ignore', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr += chunk; });

  const info = await new Promise((resolve, reject) => {
    let stdout = '';
    let done = false;
    const fail = (why) => {
      if (done)
        return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail('the server did not print its URL and demo credentials in time'),
                             STARTUP_TIMEOUT_MS);

    child.on('error', (e) => fail(`could not start ${binary}: ${e.message}`));
    child.on('exit', (code, signal) => fail(`the server exited early (code ${code}, signal ${signal})`));

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      if (done)
        return;
      const lines = stdout.split('\n');
      // Only complete lines count; the last element may be a partial line.
      lines.pop();
      if (lines.length === 0)
        return;
      const url = lines[0].trim();
      const field = (name) => {
        const re = new RegExp(`^${name}:\\s*(.+?)\\s*$`);
        for (const line of lines) {
          const m = re.exec(line);
          if (m)
            return m[1];
        }
        return undefined;
      };
      const email = field('email');
      const username = field('username');
      const password = field('password');
      if (email === undefined || username === undefined || password === undefined)
        return;
      if (!/^http:\/\/127\.0\.0\.1:[0-9]+\/?$/.test(url))
        return fail(`the first stdout line is not a loopback URL: ${JSON.stringify(url)}`);
      done = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: url.replace(/\/$/, ''), demo: { email, username, password } });
    });
  });

  const exited = new Promise((resolve) => child.once('exit', resolve));

  return {
    ...info,
    dataDir,
    makeTempDir,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
      for (const dir of tempDirs)
        fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startServer };
