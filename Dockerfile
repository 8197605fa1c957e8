# event-bus image: built from source with Maven, run on a plain JRE.
#   docker build -t event-bus .      (or: docker compose up --build)
# Uses a BuildKit cache mount for ~/.m2 (the default builder of Docker 23+ and Compose v2).

# --- build: the same command as the README's ------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /build
COPY pom.xml application.properties ./
COPY proto/ proto/
COPY src/ src/
RUN --mount=type=cache,target=/root/.m2 mvn -B -DskipTests package

# --- run: the shaded jar, started as in the README (java -jar) -------------------------------
FROM eclipse-temurin:17-jre
# curl for the HEALTHCHECK only (the JRE image has none)
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system eventbus \
 && useradd --system --gid eventbus --no-create-home --shell /usr/sbin/nologin eventbus
WORKDIR /app
COPY --from=build /build/target/event-bus-*.jar /app/event-bus.jar
# YAML routes from the file system (eventbus.routes-location = file:routes/*.camel.yaml, relative
# to WORKDIR); route reload stays off (camel.main.routes-reload-enabled = false)
COPY routes/ /app/routes/
USER eventbus
# gRPC (eventbus.rpc-port), HTTP ping/health (eventbus.http-port)
EXPOSE 9091 7878
# /health answers 200 when RabbitMQ, the database, Redis and the routes are UP, else 503
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:7878/health || exit 1
# exec form: java is PID 1 and gets SIGTERM, so camel-main shuts down gracefully
ENTRYPOINT ["java", "-jar", "/app/event-bus.jar"]
