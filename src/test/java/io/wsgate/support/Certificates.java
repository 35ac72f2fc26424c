package io.wsgate.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates made in the test with the JDK's {@code keytool}: self-signed EC keys for
 * {@code localhost} / 127.0.0.1 in PKCS12 key stores (password {@value #PASSWORD}), trust stores
 * holding chosen certificates, and SSL contexts from them.
 */
public final class Certificates {

	public static final String PASSWORD = "changeit";

	private Certificates() {
	}

	/** A key store at {@code file} with a new self-signed key pair under {@code alias}, replacing any. */
	public static Path selfSigned(Path file, String alias) throws IOException, InterruptedException {
		return selfSigned(file, alias, "-keyalg", "EC", "-groupname", "secp256r1");
	}

	/**
	 * The same with an RSA key (2048 bits), for the cipher suites only an RSA key can use
	 * ({@code TLS_RSA_*}, {@code TLS_ECDHE_RSA_*}).
	 */
	public static Path selfSignedRsa(Path file, String alias) throws IOException, InterruptedException {
		return selfSigned(file, alias, "-keyalg", "RSA", "-keysize", "2048");
	}

	private static Path selfSigned(Path file, String alias, String... keyOptions)
			throws IOException, InterruptedException {
		Path fresh = file.resolveSibling(file.getFileName() + ".new");
		Files.deleteIfExists(fresh);
		List<String> command = new ArrayList<>(List.of("-genkeypair", "-alias", alias));
		command.addAll(List.of(keyOptions));
		command.addAll(List.of("-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
				"-keystore", fresh.toString(), "-storepass", PASSWORD));
		keytool(command.toArray(String[]::new));
		// replaced in one step, as a deployment would, so a reloading reader never sees half a file
		Files.move(fresh, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
				java.nio.file.StandardCopyOption.ATOMIC_MOVE);
		return file;
	}

	/** A trust store at {@code file} holding the certificates of {@code keyStores}. */
	public static Path trustStore(Path file, Path... keyStores) throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		int i = 0;
		for (Path keyStore : keyStores) {
			for (X509Certificate certificate : certificates(keyStore)) {
				trust.setCertificateEntry("trusted-" + i++, certificate);
			}
		}
		try (var out = Files.newOutputStream(file)) {
			trust.store(out, PASSWORD.toCharArray());
		}
		return file;
	}

	public static List<X509Certificate> certificates(Path keyStore) throws Exception {
		KeyStore store = load(keyStore);
		List<X509Certificate> found = new ArrayList<>();
		for (String alias : java.util.Collections.list(store.aliases())) {
			Certificate certificate = store.getCertificate(alias);
			if (certificate instanceof X509Certificate x509) {
				found.add(x509);
			}
		}
		return found;
	}

	public static KeyStore load(Path keyStore) throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(keyStore)) {
			store.load(in, PASSWORD.toCharArray());
		}
		return store;
	}

	public static KeyManagerFactory keyManagers(Path keyStore) throws Exception {
		KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		factory.init(load(keyStore), PASSWORD.toCharArray());
		return factory;
	}

	public static TrustManagerFactory trustManagers(Path trustStore) throws Exception {
		TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		factory.init(load(trustStore));
		return factory;
	}

	/** A client SSL context trusting exactly the certificates of {@code trustStore}. */
	public static SSLContext clientContext(Path trustStore) throws Exception {
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trustManagers(trustStore).getTrustManagers(), null);
		return context;
	}

	private static void keytool(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IOException("keytool failed: " + output);
		}
	}

}
