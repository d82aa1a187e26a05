/**
 * Spring Boot auto-configuration for Tollgate: {@link
 * dev.tollgate.spring.boot.TollgateAutoConfiguration} gates every Spring AI tool bean, configured
 * by {@link dev.tollgate.spring.boot.TollgateProperties} ({@code tollgate.*}).
 */
package dev.tollgate.spring.boot;
