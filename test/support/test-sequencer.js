// Runs integration test files in an order that lets the slow ones share
// work: the virtual-lab suite builds the QEMU images first, and the driver
// and end-to-end suites then copy them instead of downloading again.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['/test/api/', '/test/cli/', '/test/vlab/', '/test/machines/', '/test/e2e/'];
const rank = (path) => {
  const i = ORDER.findIndex((dir) => path.includes(dir));
  return i < 0 ? ORDER.length : i;
};

class IntegrationSequencer extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}

module.exports = IntegrationSequencer;
