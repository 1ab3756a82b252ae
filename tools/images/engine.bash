# Sourced by tools/images/*.sh: picks the container engine. Docker when an engine answers; otherwise buildah
# builds and podman stores, runs and pushes (no daemon: what these machines can run, as root). Sets `engine` to
# docker or podman, or leaves it empty when neither is usable.
pick_engine() {
  engine=""
  if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    engine=docker
  elif command -v podman >/dev/null 2>&1 && command -v buildah >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
    engine=podman
  fi
}

# podman run's options on these machines: runc (crun is refused by the sandbox), and explicit limits (podman's
# defaults exceed what the sandbox grants).
podman_run_options=(--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
