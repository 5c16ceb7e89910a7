import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * Kafka Connect's own JsonConverter (schemas.enable=true) on both sides of Stratus's Connect
 * JSON serde (test/src/messaging-connect-json.test.ts). Prints two lines:
 * 1. WRITTEN <json>: a fixed record with every type, as JsonConverter writes it;
 * 2. READ <json>: what JsonConverter read from stdin (Stratus's output), as plain JSON with
 *    logical values tagged (Timestamp:ms, Date:ms, Time:ms, Decimal:text, bytes:base64).
 */
public final class ConnectJsonHarness {
  private static final Schema SCHEMA = SchemaBuilder.struct().name("users")
      .field("id", Schema.INT32_SCHEMA)
      .field("small", Schema.INT8_SCHEMA)
      .field("medium", Schema.INT16_SCHEMA)
      .field("big", Schema.INT64_SCHEMA)
      .field("ratio", Schema.FLOAT64_SCHEMA)
      .field("active", Schema.BOOLEAN_SCHEMA)
      .field("user_id", Schema.OPTIONAL_STRING_SCHEMA)
      .field("pwd", Schema.OPTIONAL_STRING_SCHEMA)
      .field("raw", Schema.BYTES_SCHEMA)
      .field("created_at", Timestamp.builder().optional().build())
      .field("birthday", Date.builder().build())
      .field("alarm", Time.builder().build())
      .field("price", Decimal.builder(2).build())
      .field("tags", SchemaBuilder.array(Schema.STRING_SCHEMA).build())
      .field("scores", SchemaBuilder.map(Schema.STRING_SCHEMA, Schema.INT32_SCHEMA).build())
      .build();

  public static void main(String[] args) throws Exception {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of("schemas.enable", "true", "converter.type", "value"));
    String topic = args.length > 0 ? args[0] : "connect-json";

    Struct record = new Struct(SCHEMA)
        .put("id", 1).put("small", (byte) -5).put("medium", (short) 300).put("big", 9007199254740993L)
        .put("ratio", 0.25).put("active", true).put("user_id", "user1").put("pwd", null)
        .put("raw", new byte[] {0, 1, (byte) 254})
        .put("created_at", new java.util.Date(1729631568000L))
        .put("birthday", new java.util.Date(19000L * 86_400_000L))
        .put("alarm", new java.util.Date(45_296_789L))
        .put("price", new BigDecimal("-1234.50"))
        .put("tags", List.of("a", "b"))
        .put("scores", Map.of("x", 1));
    byte[] written = converter.fromConnectData(topic, SCHEMA, record);
    System.out.println("WRITTEN " + new String(written, StandardCharsets.UTF_8));

    InputStream in = System.in;
    byte[] input = in.readAllBytes();
    SchemaAndValue read = converter.toConnectData(topic, input);
    System.out.println("READ " + new ObjectMapper().writeValueAsString(plain(read.schema(), read.value())));
  }

  private static Object plain(Schema schema, Object value) {
    if (value == null) return null;
    if (schema == null) return value;
    String name = schema.name();
    if (Timestamp.LOGICAL_NAME.equals(name)) return "Timestamp:" + ((java.util.Date) value).getTime();
    if (Date.LOGICAL_NAME.equals(name)) return "Date:" + ((java.util.Date) value).getTime();
    if (Time.LOGICAL_NAME.equals(name)) return "Time:" + ((java.util.Date) value).getTime();
    if (Decimal.LOGICAL_NAME.equals(name)) return "Decimal:" + ((BigDecimal) value).toPlainString();
    switch (schema.type()) {
      case BYTES:
        return "bytes:" + Base64.getEncoder().encodeToString((byte[]) value);
      case STRUCT: {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Field field : schema.fields()) out.put(field.name(), plain(field.schema(), ((Struct) value).get(field)));
        return out;
      }
      case ARRAY: {
        List<Object> out = new ArrayList<>();
        for (Object item : (List<?>) value) out.add(plain(schema.valueSchema(), item));
        return out;
      }
      case MAP: {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) out.put(String.valueOf(e.getKey()), plain(schema.valueSchema(), e.getValue()));
        return out;
      }
      case INT64:
        return String.valueOf(value);
      default:
        return value;
    }
  }
}
