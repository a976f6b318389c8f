// Compiles src/*.sol and test/*.sol with the solc package pinned in
// package.json, for an explicit EVM version, and writes each contract's
// ABI and creation bytecode under build/ (committed: the Go build never
// needs Node). Run: npm ci && node compile.js (or npm run build).
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const EVM_VERSION = 'cancun';
const CONTRACTS = ['CooperaVault', 'CooperaBridge', 'TestToken', 'IAggregatorV3', 'IUniswapV3PoolObserve', 'MockAggregator', 'MockPool'];

const sources = {};
for (const dir of ['src', 'test']) {
  for (const f of fs.readdirSync(path.join(__dirname, dir)).sort()) {
    if (f.endsWith('.sol')) {
      sources[`${dir}/${f}`] = { content: fs.readFileSync(path.join(__dirname, dir, f), 'utf8') };
    }
  }
}
const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: { enabled: true, runs: 200 },
    metadata: { bytecodeHash: 'none' },
    outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
  },
};
function findImports(p) {
  const f = path.join(__dirname, p);
  return fs.existsSync(f) ? { contents: fs.readFileSync(f, 'utf8') } : { error: 'not found: ' + p };
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
let failed = false;
for (const e of out.errors || []) {
  console.error(e.formattedMessage);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);
const build = path.join(__dirname, 'build');
fs.mkdirSync(build, { recursive: true });
for (const file of Object.keys(out.contracts).sort()) {
  for (const name of Object.keys(out.contracts[file]).sort()) {
    if (!CONTRACTS.includes(name)) continue;
    const c = out.contracts[file][name];
    fs.writeFileSync(path.join(build, name + '.abi'), JSON.stringify(c.abi, null, 1) + '\n');
    if (c.evm.bytecode.object !== '') { // interfaces have none
      fs.writeFileSync(path.join(build, name + '.bin'), c.evm.bytecode.object + '\n');
    }
    console.log(`${name}: ${c.evm.bytecode.object.length / 2} bytes (solc ${solc.version()}, evm ${EVM_VERSION})`);
  }
}
