package io.wsgate.proxy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SecretMask}: what operators are shown of headers, queries, subprotocols and previews. */
class SecretMaskTest {

	private static final String JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";

	private final SecretMask.Names none = new SecretMask.Names();

	@Test
	void subprotocolsThatCarryATokenKeepTheirPrefixOnly() {
		assertThat(SecretMask.subprotocol("bearer." + JWT)).isEqualTo("bearer.***");
		assertThat(SecretMask.subprotocol("access_token.abc")).isEqualTo("access_token.***");
		assertThat(SecretMask.subprotocol("base64url.bearer.authorization.k8s.io.dG9rZW4"))
			.isEqualTo("base64url.bearer.***");
		assertThat(SecretMask.subprotocol(JWT)).isEqualTo("***");
		assertThat(SecretMask.subprotocol("chat")).isEqualTo("chat");
		assertThat(SecretMask.subprotocol("wamp.2.json")).isEqualTo("wamp.2.json");
		assertThat(SecretMask.subprotocol("graphql-transport-ws")).isEqualTo("graphql-transport-ws");
		assertThat(SecretMask.subprotocol(null)).isNull();
		assertThat(SecretMask.subprotocols("chat, bearer." + JWT + ",v2.stomp", this.none))
			.isEqualTo("chat, bearer.***, v2.stomp");
	}

	@Test
	void aRoutesOwnProtocolPrefixAndNamesAreMaskedToo() {
		SecretMask.Names names = new SecretMask.Names().add(List.of("Ticket")).addProtocolPrefixes(List.of("t~"));
		assertThat(SecretMask.subprotocols("chat, t~abc", names)).isEqualTo("chat, t~***");
		assertThat(SecretMask.query("ticket=abc&room=1", names, Set.of())).isEqualTo("ticket=***&room=1");
		assertThat(SecretMask.text("{\"ticket\":\"abc\"}", names)).isEqualTo("{\"ticket\":\"***\"}");
		HttpHeaders headers = new HttpHeaders();
		headers.add("TICKET", "abc");
		assertThat(SecretMask.headers(headers, names)).containsEntry("TICKET", List.of("***"));
	}

	@Test
	void secretHeadersAreMaskedAndTheRestShown() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Authorization", "Bearer x");
		headers.add("Cookie", "a=b");
		headers.add("X-My-Token", "s");
		headers.add("X-Session-Id", "s");
		headers.add("X-Trace", "abc");
		headers.add("Sec-WebSocket-Protocol", "chat, bearer.xyz");
		assertThat(SecretMask.headers(headers, this.none)).containsEntry("Authorization", List.of("***"))
			.containsEntry("Cookie", List.of("***"))
			.containsEntry("X-My-Token", List.of("***"))
			.containsEntry("X-Session-Id", List.of("***"))
			.containsEntry("X-Trace", List.of("abc"))
			.containsEntry("Sec-WebSocket-Protocol", List.of("chat, bearer.***"));
	}

	@Test
	void queryParameterNamesAreDecodedBeforeMatching() {
		assertThat(SecretMask.query("jwt=a&%6Aw%74=b&JWT=c&room=7&flag&x=%zz", this.none, Set.of()))
			.isEqualTo("jwt=***&%6Aw%74=***&JWT=***&room=7&flag&x=%zz");
		assertThat(SecretMask.query("access%5Ftoken=a&session_id=b&api-key=c", this.none, Set.of()))
			.isEqualTo("access%5Ftoken=***&session_id=***&api-key=***");
		assertThat(SecretMask.query("sig=a&room=b", this.none, Set.of("sig"))).isEqualTo("sig=***&room=b");
	}

	@Test
	void previewsLoseTheValuesOfSecretKeysAndCredentials() {
		assertThat(SecretMask.text("{\"authorization\": \"Bearer abc.def.ghi\", \"msg\": \"hi\"}", this.none))
			.isEqualTo("{\"authorization\": \"***\", \"msg\": \"hi\"}");
		assertThat(SecretMask.text("{\"password\":\"hun\\\"ter2\",\"n\":1,\"session\":42,\"jwt\":\"eyJ", this.none))
			.isEqualTo("{\"password\":\"***\",\"n\":1,\"session\":***,\"jwt\":\"***");
		assertThat(SecretMask.text("CONNECT\nlogin:al\npasscode:hunter2\nAuthorization:Bearer abcdefghij\n\n",
				this.none))
			.isEqualTo("CONNECT\nlogin:al\npasscode:***\nAuthorization:***\n\n");
		assertThat(SecretMask.text("send token=abcdef&room=1 with Bearer abcdefghijkl", this.none))
			.isEqualTo("send token=***&room=1 with Bearer ***");
		assertThat(SecretMask.text("a basic idea: keep it simple", this.none)).isEqualTo("a basic idea: keep it simple");
		assertThat(SecretMask.text("{\"user\":\"al\",\"text\":\"hello\"}", this.none))
			.isEqualTo("{\"user\":\"al\",\"text\":\"hello\"}");
	}

}
