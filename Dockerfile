# syntax=docker/dockerfile:1
# audit-hub: one image for every role (`serve --role api|worker|scheduler`, `migrate`, `reconcile`).
# Build:  docker build -t audit-hub .        Run:  docker run -p 3000:3000 audit-hub serve

# Node.js 22 LTS (Node 20 reached its end of life in April 2026; package.json's engines allow 22).
FROM node:22-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when its prebuilt binary cannot be downloaded.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY . .
# `npm ci` runs `prepare`, which builds every workspace package and the apps into dist/.
RUN npm ci --no-audit --no-fund \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AUDIT_HUB_LOG_LEVEL=info \
    PORT=3000
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /app/data && chown node:node /app/data
# The image's unprivileged user (uid 1000); the embedded SQLite default writes to /app/data.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/apps/cli/src/main.js"]
CMD ["serve"]
