/** Where the HTTP API lives: versioned under /api/v1, described at /api/docs (interfaces.md). */
export const API_V1 = 'api/v1';
export const API_DOCS_PATH = 'api/docs';
