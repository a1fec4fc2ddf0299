import { InMemorySessionStore } from '@anthropic-ai/claude-agent-sdk';
import { runStoreConformance } from '@sdk/testing/conformance';

// The kit is fair: the official SDK's own store passes every contract the official SDK defines.
// Three groups check guarantees the official store deliberately does not give; ours do.
runStoreConformance({
  name: 'official InMemorySessionStore (@anthropic-ai/claude-agent-sdk)',
  create: () => new InMemorySessionStore(),
  skip: {
    'empty-append': 'the official store creates an empty session on append(key, []) (load returns [], listSessions lists it)',
    'defensive-copies': 'the official store keeps references to appended entries and returns its own array from load',
    'hostile-keys': 'the official store does not validate keys; it joins them into strings with "/"',
  },
});
