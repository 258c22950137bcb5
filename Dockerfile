# syntax=docker/dockerfile:1
# Build stage: compile TypeScript to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY adapters ./adapters
RUN npm run build

# Runtime stage: production dependencies and the compiled code only.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY examples ./examples
COPY playbooks ./playbooks
# The image's unprivileged "node" user (uid 1000) runs the bot.
USER node
# The Slack endpoint in HTTP mode (PORT); Socket Mode needs no inbound port.
EXPOSE 3000
# Metrics, health and the monitoring hooks (MUSTER_HTTP_PORT; bind MUSTER_HTTP_HOST=0.0.0.0 to reach them).
EXPOSE 8080
ENTRYPOINT ["node", "bin/muster.js"]
CMD ["start"]
