# Build: docker build -t openvest .
# Run:   docker compose up (PostgreSQL included), or
#        docker run -p 8080:8080 -e OPENVEST_DATABASE_URL=postgres://... openvest

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/openvest ./cmd/openvest

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/openvest /openvest
# Writable for the nonroot user, so the SQLite default (openvest.db) also works.
WORKDIR /home/nonroot
EXPOSE 8080
ENTRYPOINT ["/openvest"]
CMD ["serve"]
