# syntax=docker/dockerfile:1
# wsgate's container image: docker build -t wsgate .
# Build stage: the Maven wrapper, as CI runs it (tests are CI's job, not the image build's).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -ntp dependency:go-offline -q || true
COPY src src
RUN ./mvnw -B -ntp -DskipTests package \
 && cp target/wsgate-*.jar app.jar \
 && java -Djarmode=tools -jar app.jar extract --layers --launcher --destination extracted
# The HEALTHCHECK's probe: the JRE image has no curl to count on, so a tiny Java class.
COPY docker/HealthCheck.java docker/HealthCheck.java
RUN javac -d healthcheck docker/HealthCheck.java

# Run stage: a JRE, a non-root user, Spring Boot's layers (least changing first).
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 wsgate && useradd --system --uid 10001 --gid wsgate --home-dir /app --shell /usr/sbin/nologin wsgate \
 && mkdir -p /app/data && chown wsgate:wsgate /app/data
WORKDIR /app
COPY --from=build /src/extracted/dependencies/ ./
COPY --from=build /src/extracted/spring-boot-loader/ ./
COPY --from=build /src/extracted/snapshot-dependencies/ ./
COPY --from=build /src/extracted/application/ ./
COPY --from=build /src/healthcheck/ /opt/healthcheck/
USER 10001
EXPOSE 8080
# What the HEALTHCHECK asks (change it with management.server.port).
ENV WSGATE_HEALTH_URL="http://127.0.0.1:8080/actuator/health/liveness"
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", "/opt/healthcheck", "HealthCheck"]
# Exec form: the JVM is PID 1 itself (no shell), so SIGTERM (docker stop) reaches it and it drains
# open WebSockets (wsgate.websocket.drain-timeout, 30 s: stop with docker stop -t 40).
# Container-aware heap and ZGC (the best collector in bench/); add flags with JAVA_TOOL_OPTIONS.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+UseZGC", "-XX:+ExitOnOutOfMemoryError", \
  "org.springframework.boot.loader.launch.JarLauncher"]
