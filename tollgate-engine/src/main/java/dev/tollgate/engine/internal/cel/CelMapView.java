package dev.tollgate.engine.internal.cel;

import dev.cel.common.exceptions.CelAttributeNotFoundException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelValue;
import dev.cel.common.values.SelectableValue;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A map of facts as a CEL map value, read in place. CEL's own {@code MutableMapValue} behaves the
 * same for selection and presence but copies the map into a new {@code LinkedHashMap} (and makes a
 * new map type) each time: a copy of the arguments and of the action, per decision, that nothing
 * needs, since facts are never changed while policies read them. Read-only: the view refuses
 * changes and hands out unmodifiable views, and every caller hands over a map it no longer changes
 * (CEL declares its values immutable, hence the suppression).
 */
@SuppressWarnings("Immutable")
final class CelMapView extends CelValue implements SelectableValue<Object>, Map<Object, Object> {
  private static final CelType TYPE = MapType.create(SimpleType.DYN, SimpleType.DYN);

  private final Map<Object, Object> map;

  @SuppressWarnings("unchecked")
  CelMapView(Map<?, ?> map) {
    this.map = (Map<Object, Object>) map;
  }

  /**
   * A nested map is handed out as a view too: CEL would otherwise walk its entries to convert it,
   * on every selection through it ({@code action.args.meta.classification}).
   */
  private static Object nested(Object value) {
    return value instanceof Map<?, ?> m && !(value instanceof CelValue) ? new CelMapView(m) : value;
  }

  @Override
  public Object select(Object field) {
    Object value = map.get(field);
    if (value != null) {
      return nested(value);
    }
    if (!map.containsKey(field)) {
      throw CelAttributeNotFoundException.forMissingMapKey(String.valueOf(field));
    }
    throw CelAttributeNotFoundException.of(
        String.format("Map value cannot be null for key: %s", field));
  }

  @Override
  public Optional<?> find(Object field) {
    return map.containsKey(field) ? Optional.ofNullable(nested(map.get(field))) : Optional.empty();
  }

  @Override
  public Object value() {
    return this;
  }

  @Override
  public boolean isZeroValue() {
    return map.isEmpty();
  }

  @Override
  public CelType celType() {
    return TYPE;
  }

  @Override
  public int size() {
    return map.size();
  }

  @Override
  public boolean isEmpty() {
    return map.isEmpty();
  }

  @Override
  public boolean containsKey(Object key) {
    return map.containsKey(key);
  }

  @Override
  public boolean containsValue(Object value) {
    return map.containsValue(value);
  }

  @Override
  public Object get(Object key) {
    return nested(map.get(key));
  }

  @Override
  public Object put(Object key, Object value) {
    throw new UnsupportedOperationException("facts are read-only");
  }

  @Override
  public Object remove(Object key) {
    throw new UnsupportedOperationException("facts are read-only");
  }

  @Override
  public void putAll(Map<?, ?> m) {
    throw new UnsupportedOperationException("facts are read-only");
  }

  @Override
  public void clear() {
    throw new UnsupportedOperationException("facts are read-only");
  }

  @Override
  public Set<Object> keySet() {
    return Collections.unmodifiableSet(map.keySet());
  }

  @Override
  public Collection<Object> values() {
    return Collections.unmodifiableCollection(map.values());
  }

  @Override
  public Set<Entry<Object, Object>> entrySet() {
    return Collections.unmodifiableMap(map).entrySet();
  }

  @Override
  public String toString() {
    return map.toString();
  }
}
