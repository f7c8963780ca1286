# syntax=docker/dockerfile:1
# Tributary runs built JavaScript (bin/tributary.mjs -> dist/): a build stage compiles it with
# the dev dependencies (npm ci runs `prepare` = scripts/build.mjs); the image is production
# node_modules + dist/ (with the store's .lua scripts) + config and demo files.
#   docker build -t tributary .
#   docker run -p 8080:8080 -v tributary-data:/data tributary            # embedded Redis (AOF in /data)
#   docker run -p 8080:8080 -e REDIS_URL=redis://host:6379 tributary     # external Redis
# docker-compose.yml runs it as separate server and worker processes against one Redis.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- production dependencies only
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- build: tsc -> dist/ (npm ci runs `prepare`)
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY workers ./workers
RUN npm ci --no-audit --no-fund

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
# redis-server: the embedded Redis for a single `docker run` without REDIS_URL (Debian's 7.0,
# a few MB); tini: PID 1 that forwards signals and reaps children. Build with
# --build-arg WITH_REDIS=0 to leave redis-server out (REDIS_URL is then required).
ARG WITH_REDIS=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini $( [ "$WITH_REDIS" = 1 ] && echo redis-server ) \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data \
    TRIBUTARY_AUTO_REDIS=0

WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json package-lock.json ./
COPY --chown=node:node bin ./bin
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node config ./config
COPY --chown=node:node demo ./demo
RUN mkdir -p /data && chown node:node /data

USER node
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=16", "--heap-growing-percent=50", "bin/tributary.mjs", "start"]
