import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The container's HEALTHCHECK: exits 0 when {@code WSGATE_HEALTH_URL} (the liveness group)
 * answers 200, else 1. The JRE image has no curl or wget to rely on.
 */
public final class HealthCheck {

	public static void main(String[] args) {
		String url = System.getenv().getOrDefault("WSGATE_HEALTH_URL",
				"http://127.0.0.1:8080/actuator/health/liveness");
		try {
			HttpResponse<Void> answer = HttpClient.newBuilder()
				.connectTimeout(Duration.ofSeconds(2))
				.build()
				.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
						HttpResponse.BodyHandlers.discarding());
			System.exit(answer.statusCode() == 200 ? 0 : 1);
		}
		catch (Exception ex) {
			System.err.println(url + ": " + ex);
			System.exit(1);
		}
	}

}
