# The odoo-guard image: guard-webhook, guard-operator, guard-traefik, guardctl and guardctl-full, running as uid 65532
# on a read-only root filesystem (the chart's securityContext). Build: docker build -t odoo-guard:dev .
# (Not built in this project's CI, which has no container engine.) The toolchain is the one the README
# requires (Swift 6.3). The chart installs ghcr.io/odoo-guard/odoo-guard:<appVersion> by default: build
# this image, push it to your registry and set image.repository/image.tag (README, "Helm chart").
FROM swift:6.3-bookworm AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends libyaml-dev && rm -rf /var/lib/apt/lists/*
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY bench ./bench
RUN swift build -c release --static-swift-stdlib \
      --product guard-webhook && swift build -c release --static-swift-stdlib --product guard-operator \
 && swift build -c release --static-swift-stdlib --product guard-traefik && swift build -c release --static-swift-stdlib --product guardctl \
 && swift build -c release --static-swift-stdlib --product guardctl-full \
 && mkdir /out && cp .build/release/guard-webhook .build/release/guard-operator .build/release/guard-traefik .build/release/guardctl \
      .build/release/guardctl-full /out/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata libyaml-0-2 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
USER 65532:65532
ENTRYPOINT ["guard-webhook"]
