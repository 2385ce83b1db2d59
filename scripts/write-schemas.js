#!/usr/bin/env node
// Writes the published JSON Schemas (job spec, inventory) from libs/contracts
// so editors can validate and complete job files. `npm run schema` after a
// change to the contracts; a unit test fails while the files are stale.
const fs = require('fs');
const path = require('path');
const { renderSchemas } = require('../dist/libs/contracts/src/published-schemas');
const dir = path.join(__dirname, '..', 'libs', 'contracts', 'schema');
fs.mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(renderSchemas())) {
  fs.writeFileSync(path.join(dir, name), text);
  console.log(`wrote libs/contracts/schema/${name}`);
}
