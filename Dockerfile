# my2pg built from this tree on Debian 12, the platform it is developed and tested on.
FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ cmake ninja-build pkg-config libpq-dev \
      libmariadb-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libzstd-dev libboost-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DMY2PG_TESTS=OFF \
 && cmake --build /build \
 && cmake --install /build --prefix /opt/my2pg

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libmariadb3 libyaml-cpp0.7 libspdlog1.10 \
      libfmt9 libzstd1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /opt/my2pg/bin/my2pg /usr/local/bin/my2pg
USER nobody
ENTRYPOINT ["my2pg"]
CMD ["--help"]
