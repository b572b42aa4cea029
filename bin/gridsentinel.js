#!/usr/bin/env node
// The CLI is written in TypeScript under src/cli and compiled to build/cli by `npm run cli:build`.
const path = require('path');
const fs = require('fs');
const entry = path.join(__dirname, '..', 'build', 'cli', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error(`gridsentinel: ${entry} is missing; run "npm run cli:build" first.`);
  process.exit(2);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err) => {
    console.error(`gridsentinel: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
