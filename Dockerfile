# Build: docker build -t openvest .   (--build-arg VERSION=v1.2.3 --build-arg COMMIT=$(git rev-parse HEAD) to stamp `openvest version`)
# Run:   docker compose up (PostgreSQL included), or
#        docker run -p 8080:8080 -e OPENVEST_DATABASE_URL=postgres://... openvest

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION} -X main.commit=${COMMIT}" -o /out/openvest ./cmd/openvest

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/openvest /openvest
# Writable for the nonroot user, so the SQLite default (openvest.db) also works.
WORKDIR /home/nonroot
EXPOSE 8080
# No shell or curl in distroless: the binary asks its own /readyz (on OPENVEST_ADDR).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/openvest", "healthcheck"]
ENTRYPOINT ["/openvest"]
CMD ["serve"]
