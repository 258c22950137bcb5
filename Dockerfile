# syntax=docker/dockerfile:1
# Node 24 is an active LTS line (Node 20 reached its end of life in April 2026);
# package.json's engines (>=20.19) only says what the project still builds and tests on.
ARG NODE_IMAGE=node:24-bookworm-slim

# Build stage: every dependency (TypeScript included), then npm run build:
# a clean dist/ and the stamp bin/muster.js checks.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
COPY adapters ./adapters
RUN npm run build

# Runtime stage: production dependencies (no tsx, no TypeScript) and the
# compiled code. There are no sources here, so the bin runs dist/ as built.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# The HTTP server (/metrics, /healthz, /readyz) always runs in the image, on
# loopback unless MUSTER_HTTP_HOST says otherwise, so the health check can ask it.
ENV MUSTER_HTTP_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The shipped example config (the default when no MUSTER_CONFIG is given) and
# the playbooks it names as ../playbooks.
COPY examples ./examples
COPY playbooks ./playbooks
# The image's unprivileged "node" user (uid 1000) runs the bot.
USER node
# The Slack endpoint in HTTP mode (PORT); Socket Mode needs no inbound port.
EXPOSE 3000
# Metrics, health and the monitoring hooks (MUSTER_HTTP_PORT; bind MUSTER_HTTP_HOST=0.0.0.0 to reach them from outside).
EXPOSE 8080
# Ready means the store answers, the workers run and the watchdog beat recently
# (GET /readyz); asked with the image's own node, so no curl is needed.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.MUSTER_HTTP_PORT}/readyz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A small young generation: RSS 170 -> 147 MB with 1,000 active P1s (README, Running in production).
ENTRYPOINT ["node", "--max-semi-space-size=2", "bin/muster.js"]
CMD ["start"]
