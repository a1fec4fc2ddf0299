export { KeyValueSessionStore } from './key-value-session-store.js';
