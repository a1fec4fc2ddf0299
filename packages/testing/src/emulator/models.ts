/** A model as `GET /v1/models` lists it. */
export type EmulatorModel = { type: 'model'; id: string; display_name: string; created_at: string };

/** The models the emulator lists: current aliases first, then their dated snapshots. */
export const EMULATOR_MODELS: readonly EmulatorModel[] = [
  { type: 'model', id: 'claude-sonnet-4-6', display_name: 'Claude Sonnet 4.6', created_at: '2026-02-17T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-6', display_name: 'Claude Opus 4.6', created_at: '2026-02-05T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-1', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
  { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' },
  { type: 'model', id: 'claude-opus-4-1-20250805', display_name: 'Claude Opus 4.1', created_at: '2025-08-05T00:00:00Z' },
  { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' },
];

/** The `GET /v1/models` page: every model, no pagination. */
export function modelListPage(): { data: EmulatorModel[]; has_more: false; first_id: string | null; last_id: string | null } {
  return {
    data: [...EMULATOR_MODELS],
    has_more: false,
    first_id: EMULATOR_MODELS[0]?.id ?? null,
    last_id: EMULATOR_MODELS.at(-1)?.id ?? null,
  };
}
