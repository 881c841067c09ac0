# syntax=docker/dockerfile:1
# KKR Register: multi-stage image. Build on Debian 12 with the -dev packages; run on
# bookworm-slim with only the runtime libraries, as a non-root user.
#
#   docker build -t kkr-register .
#   docker run --rm -p 8080:8080 \
#     -e KKR_DATABASE_URL=postgresql://kkr:secret@db.example:5432/kkr \
#     -e KKR_API_KEY_SECRET=... kkr-register
#
# The image serves on 8080 and migrates on start (KKR_MIGRATE_ON_START); `kkr seed` and
# `kkr keys ...` run as one-off containers: `docker run --rm -e ... kkr-register seed`.

FROM debian:bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config ca-certificates \
      libpistache-dev libsoci-dev libboost-dev nlohmann-json3-dev libspdlog-dev \
      libpq-dev libssl-dev libicu-dev nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# Redoc's standalone bundle for /docs, from the npm registry (no CDN at run time). Only the
# runtime dependency is installed here; the lint tools are devDependencies.
COPY tools/contract/package.json tools/contract/package-lock.json tools/contract/.npmrc tools/contract/
RUN cd tools/contract && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && test -s node_modules/redoc/bundles/redoc.standalone.js

COPY . .
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DKKR_BUILD_TESTS=OFF -DKKR_SANITIZE=OFF \
 && cmake --build build -j"$(nproc)" \
 && strip build/kkr

FROM debian:bookworm-slim AS runtime
ENV DEBIAN_FRONTEND=noninteractive
# curl only for the HEALTHCHECK below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpistache0 libsoci-core4.0 libsoci-postgresql4.0 libpq5 libspdlog1.10 libfmt9 libicu72 \
      ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin kkr

COPY --from=build /src/build/kkr /usr/local/bin/kkr
COPY --from=build /src/tools/contract/node_modules/redoc/bundles/redoc.standalone.js \
     /usr/share/kkr/docs-assets/redoc.standalone.js
# Fail the image build if a shared library the binary needs is missing from this stage.
RUN if ldd /usr/local/bin/kkr | grep 'not found'; then exit 1; fi

ENV KKR_ADDRESS=0.0.0.0 \
    KKR_PORT=8080 \
    KKR_LOG_FORMAT=json \
    KKR_DOCS_ASSETS=/usr/share/kkr/docs-assets
USER kkr
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:${KKR_PORT}/healthz" || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/kkr"]
CMD ["serve"]
