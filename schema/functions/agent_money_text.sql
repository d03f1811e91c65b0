-- Minor units as the exact decimal text of the currency (12345, 2 -> '123.45'; 100, 0 -> '100'):
-- the display form of an amount in a notification's variables, beside its minor units. Text,
-- never a JSON number, so no reader parses it as a float.
CREATE OR REPLACE FUNCTION agent_money_text(p_minor bigint, p_exponent integer)
RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT round(p_minor::numeric / (10::numeric ^ p_exponent), p_exponent)::text
$$;
