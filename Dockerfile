# syntax=docker/dockerfile:1
#
# vigil container image: `docker build -t vigil .`, then
#   docker run --rm --user "$(id -u):$(id -g)" -v "$PWD:/repo" -w /repo vigil check .
#
# Base images are pinned by tag AND by the digest of their multi-platform index, so a rebuild
# uses exactly the bytes that were reviewed. To update one, read the new index digest with
# `docker buildx imagetools inspect <image>:<tag>` and replace both the tag and the digest.

# ---- build ---------------------------------------------------------------------------------
# rust:1.95.0-slim-bookworm: the toolchain the project is developed and tested with.
FROM rust:1.95.0-slim-bookworm@sha256:d7482085ff5b415f84dba5647ae71606650bdef00db7aeb69f4b3d170c3e4082 AS build

WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY config ./config
# --locked: build exactly the dependency versions of Cargo.lock.
RUN cargo build --release --locked \
    && install -D -m 0755 target/release/vigil /out/vigil

# ---- runtime -------------------------------------------------------------------------------
# debian:bookworm-slim, same Debian release as the build stage (same glibc).
FROM debian:bookworm-slim@sha256:60eac759739651111db372c07be67863818726f754804b8707c90979bda511df

# git: vigil records the commit, branch and dirty state of the checked repository.
# ca-certificates: TLS roots for the network features (advisory databases, online links).
RUN apt-get update \
    && apt-get install -y --no-install-recommends git ca-certificates \
    && rm -rf /var/lib/apt/lists/*

COPY --from=build /out/vigil /usr/local/bin/vigil

# An unprivileged user. When the checked repository is mounted from the host, run with
# `--user "$(id -u):$(id -g)"` so vigil can write its reports there and git trusts the folder.
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin vigil
USER 10001:10001

WORKDIR /repo
ENTRYPOINT ["vigil"]
CMD ["check", "."]
